package dev.nn4j.core;

import dev.nn4j.core.kernel.Storage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Prints arrays the way PyTorch's {@code torch/_tensor_str.py} does: 4 decimals, a common width, integer mode
 * ({@code 1.}), scientific mode for wide ranges, 80-column wrapping, and summarization beyond 1000 elements.
 */
final class TensorFormat {
    private static final int PRECISION = 4;
    private static final int LINE_WIDTH = 80;
    private static final int EDGE_ITEMS = 3;
    private static final int THRESHOLD = 1000;

    private TensorFormat() {
    }

    /** PyTorch's text for a tensor, e.g. {@code tensor([[0.0248, 0.1408]], grad_fn=<AddmmBackward>)}. */
    static String repr(Tensor t) {
        // PyTorch's order: device, size (empty tensors), dtype, then grad_fn or requires_grad
        StringBuilder suffix = new StringBuilder();
        if (!t.device().isCpu()) {
            suffix.append(", device='").append(t.device()).append('\'');
        }
        if (t.numel() == 0 && t.dim() != 1) {
            suffix.append(", size=").append(shapeTuple(t.storage().shape()));
        }
        DataType type = t.dtype();
        boolean implicit = type == DataType.FLOAT
                || ((type == DataType.LONG || type == DataType.BOOL) && t.numel() > 0);
        if (!implicit) {
            suffix.append(", dtype=").append(torchName(type));
        }
        if (t.gradFn() != null) {
            suffix.append(", grad_fn=<").append(t.gradFn().name()).append('>');
        } else if (t.requiresGrad()) {
            suffix.append(", requires_grad=True");
        }
        return format("tensor(", t.storage(), suffix.toString());
    }

    static String torchName(DataType t) {
        switch (t) {
            case DOUBLE: return "torch.float64";
            case FLOAT: return "torch.float32";
            case HALF: return "torch.float16";
            case BFLOAT16: return "torch.bfloat16";
            case LONG: return "torch.int64";
            case INT: return "torch.int32";
            case BOOL: return "torch.bool";
            case SHORT: return "torch.int16";
            case BYTE: return "torch.int8";
            case UBYTE: return "torch.uint8";
            default: return "torch." + t.name().toLowerCase(Locale.ROOT);
        }
    }

    static String format(String prefix, Storage a, String suffix) {
        int indent = prefix.length();
        long[] shape = a.shape();
        if (a.size() == 0) {
            return prefix + "[]" + suffix + ")";
        }
        boolean summarize = a.size() > THRESHOLD;
        double[] values = a.toDoubleArray();
        Formatter f = new Formatter(a.type(), summarized(shape, values, summarize));
        String body = shape.length == 0 ? f.format(values[0]) : str(shape, values, 0, 0, indent, summarize, f);
        return prefix + body + suffix + ")";
    }

    static String shapeTuple(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The values the formatter sees: all of them, or only the printed edges when summarizing. */
    private static double[] summarized(long[] shape, double[] values, boolean summarize) {
        if (!summarize || shape.length == 0) {
            return values;
        }
        List<Double> kept = new ArrayList<>();
        collect(shape, values, 0, 0, kept);
        double[] out = new double[kept.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = kept.get(i);
        }
        return out;
    }

    private static void collect(long[] shape, double[] v, int d, long offset, List<Double> out) {
        long stride = stride(shape, d);
        for (long i : indices(shape[d], true)) {
            if (i < 0) {
                continue;
            }
            if (d == shape.length - 1) {
                out.add(v[(int) (offset + i)]);
            } else {
                collect(shape, v, d + 1, offset + i * stride, out);
            }
        }
    }

    private static long stride(long[] shape, int d) {
        long s = 1;
        for (int k = d + 1; k < shape.length; k++) {
            s *= shape[k];
        }
        return s;
    }

    /** Indices printed along a dimension of size n; -1 marks the ellipsis. */
    private static long[] indices(long n, boolean summarize) {
        if (!summarize || n <= 2 * EDGE_ITEMS) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] idx = new long[2 * EDGE_ITEMS + 1];
        for (int i = 0; i < EDGE_ITEMS; i++) {
            idx[i] = i;
            idx[EDGE_ITEMS + 1 + i] = n - EDGE_ITEMS + i;
        }
        idx[EDGE_ITEMS] = -1;
        return idx;
    }

    private static String str(long[] shape, double[] v, int d, long offset, int indent, boolean summarize,
                              Formatter f) {
        long stride = stride(shape, d);
        long[] idx = indices(shape[d], summarize);
        if (d == shape.length - 1) {
            int perLine = Math.max(1, (LINE_WIDTH - indent) / (f.width + 2));
            List<String> items = new ArrayList<>();
            for (long i : idx) {
                items.add(i < 0 ? " ..." : f.format(v[(int) (offset + i)]));
            }
            StringBuilder sb = new StringBuilder("[");
            for (int k = 0; k < items.size(); k++) {
                if (k > 0) {
                    sb.append(k % perLine == 0 ? ",\n" + " ".repeat(indent + 1) : ", ");
                }
                sb.append(items.get(k));
            }
            return sb.append(']').toString();
        }
        int remaining = shape.length - d;
        String sep = "," + "\n".repeat(remaining - 1) + " ".repeat(indent + 1);
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < idx.length; k++) {
            if (k > 0) {
                sb.append(sep);
            }
            sb.append(idx[k] < 0 ? "..." : str(shape, v, d + 1, offset + idx[k] * stride, indent + 1, summarize, f));
        }
        return sb.append(']').toString();
    }

    /** PyTorch's {@code _Formatter}: chooses the mode from the values and pads every element to one width. */
    private static final class Formatter {
        private final boolean floating;
        private final boolean bool;
        private boolean intMode = true;
        private boolean sciMode;
        int width;

        Formatter(DataType type, double[] values) {
            floating = type.isFPType();
            bool = type == DataType.BOOL;
            if (!floating) {
                for (double v : values) {
                    width = Math.max(width, raw(v).length());
                }
                return;
            }
            double max = 0;
            double min = Double.POSITIVE_INFINITY;
            boolean any = false;
            for (double v : values) {
                if (Double.isFinite(v) && v != 0) {
                    double a = Math.abs(v);
                    max = Math.max(max, a);
                    min = Math.min(min, a);
                    any = true;
                    if (v != Math.ceil(v)) {
                        intMode = false;
                    }
                }
            }
            if (!any) {
                intMode = true;
            } else if (intMode) {
                sciMode = max > 1e8;
            } else {
                sciMode = max / min > 1000 || max > 1e8 || min < 1e-4;
            }
            for (double v : values) {
                width = Math.max(width, raw(v).length());
            }
        }

        private String raw(double v) {
            if (bool) {
                return v != 0 ? "True" : "False";
            }
            if (!floating) {
                return Long.toString((long) v);
            }
            if (Double.isNaN(v)) {
                return "nan";
            }
            if (Double.isInfinite(v)) {
                return v > 0 ? "inf" : "-inf";
            }
            if (sciMode) {
                return String.format(Locale.ROOT, "%." + PRECISION + "e", v);
            }
            if (intMode) {
                return new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString() + ".";
            }
            return new BigDecimal(v).setScale(PRECISION, RoundingMode.HALF_EVEN).toPlainString();
        }

        String format(double v) {
            String s = raw(v);
            return " ".repeat(Math.max(0, width - s.length())) + s;
        }
    }
}
