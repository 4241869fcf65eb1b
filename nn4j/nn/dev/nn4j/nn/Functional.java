package dev.nn4j.nn;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.Node;
import dev.nn4j.core.ops.AdaptiveAvgPool;
import dev.nn4j.core.ops.AttentionHeads;
import dev.nn4j.core.ops.Addmm;
import dev.nn4j.core.ops.AvgPool;
import dev.nn4j.core.ops.BceWithLogits;
import dev.nn4j.core.ops.Binary;
import dev.nn4j.core.ops.Cast;
import dev.nn4j.core.ops.Cat;
import dev.nn4j.core.ops.DropoutOp;
import dev.nn4j.core.ops.Compare;
import dev.nn4j.core.ops.Convolution;
import dev.nn4j.core.ops.ConvolutionTranspose;
import dev.nn4j.core.ops.CrossEntropy;
import dev.nn4j.core.ops.EmbeddingLookup;
import dev.nn4j.core.ops.LstmCell;
import dev.nn4j.core.ops.LstmLayer;
import dev.nn4j.core.ops.Index;
import dev.nn4j.core.ops.MatMul;
import dev.nn4j.core.ops.Max;
import dev.nn4j.core.ops.MaxPoolWithIndices;
import dev.nn4j.core.ops.NllLoss;
import dev.nn4j.core.ops.Pad;
import dev.nn4j.core.ops.Upsample2d;
import dev.nn4j.core.ops.MseLoss;
import dev.nn4j.core.ops.NativeBatchNorm;
import dev.nn4j.core.ops.NativeGroupNorm;
import dev.nn4j.core.ops.Permute;
import dev.nn4j.core.ops.Reduce;
import dev.nn4j.core.ops.Reshape;
import dev.nn4j.core.ops.SoftmaxOp;
import dev.nn4j.core.ops.ToDevice;
import dev.nn4j.core.ops.Transpose;
import dev.nn4j.core.ops.Unary;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Stateless functions behind the layers. PyTorch: {@code torch.nn.functional} (imported as {@code F}).
 */
public final class Functional {
    private Functional() {
    }

    /** PyTorch: {@code F.relu(x)}. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** PyTorch: {@code torch.sigmoid(x)}. */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    /** PyTorch: {@code torch.tanh(x)}. */
    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    /** PyTorch: {@code F.softmax(x, dim)}. */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    /** PyTorch: {@code F.log_softmax(x, dim)}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    /** {@code x W^T + b} as one fused gemm; {@code bias} may be null. PyTorch: {@code F.linear(x, weight, bias)}. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Addmm.apply(x, weight, bias);
    }

    /**
     * Inverted dropout: in training, zero with probability {@code p} and scale survivors by {@code 1/(1-p)};
     * otherwise return {@code x} itself. PyTorch: {@code F.dropout(x, p, training)}.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        checkDropout(p);
        if (!training || p == 0) {
            return x;
        }
        if (p == 1) {
            return x.mul(0);
        }
        if (x.dtype().isFPType()) {
            return DropoutOp.apply(x, p);
        }
        // an integer input: float32 noise, and the product promoted as PyTorch's x * noise is
        double[] keep = new double[(int) x.numel()];
        Rng.bernoulli(keep, 1 - p);
        Tensor mask = Tensor.of(keep.length == 0 ? Nd4j.create(DataType.FLOAT, x.shape())
                : Nd4j.create(keep, x.shape(), DataType.DOUBLE).castTo(DataType.FLOAT).muli(1.0 / (1 - p)));
        return x.mul(mask.to(x.device()));
    }

    static void checkDropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
    }

    /**
     * Binary cross entropy on logits (a sigmoid folded in, stable for any logit), mean over every element.
     * PyTorch: {@code F.binary_cross_entropy_with_logits(input, target)}.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return BceWithLogits.apply(input, target, "mean");
    }

    /** {@link #binaryCrossEntropyWithLogits(Tensor, Tensor)} with {@code "mean"}, {@code "sum"} or {@code "none"}. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, String reduction) {
        return BceWithLogits.apply(input, target, reduction);
    }

    /**
     * Negative log likelihood of log-probabilities {@code [N, C]} at int64 class indices, averaged over the batch.
     * PyTorch: {@code F.nll_loss(input, target)}.
     */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return NllLoss.apply(input, target, "mean");
    }

    /** {@link #nllLoss(Tensor, Tensor)} with {@code "mean"} or {@code "sum"}. */
    public static Tensor nllLoss(Tensor input, Tensor target, String reduction) {
        return NllLoss.apply(input, target, reduction);
    }

    /** Mean squared error, mean reduction. PyTorch: {@code F.mse_loss(input, target)}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, "mean");
    }

    /** Mean squared error with {@code "mean"}, {@code "sum"} or {@code "none"}. PyTorch: {@code F.mse_loss(..., reduction)}. */
    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        return MseLoss.apply(input, target, reduction);
    }

    /**
     * Cross entropy of logits {@code [N, C]} and int64 class indices {@code [N]}, mean over the batch.
     * PyTorch: {@code F.cross_entropy(logits, target)}.
     *
     * @throws IllegalArgumentException naming any class index outside [0, C)
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return CrossEntropy.apply(logits, target);
    }

    /**
     * 2-D convolution (cross-correlation) of {@code [N, C, H, W]} with {@code [out, C / groups, kh, kw]} filters;
     * {@code bias} ({@code [out]}) may be null. PyTorch: {@code F.conv2d(x, weight, bias, stride, padding, dilation,
     * groups)}.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        return Convolution.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * 2-D convolution with stride, padding and dilation per dimension ({@code {height, width}}); the kernel's
     * height and width are the weight's. PyTorch: {@code F.conv2d(x, weight, bias, (sh, sw), (ph, pw), (dh, dw),
     * groups)}.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                                int groups) {
        return Convolution.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * 2-D transposed convolution of {@code [N, C, H, W]} with {@code [C, out / groups, kh, kw]} filters; every
     * option height first; {@code bias} may be null. PyTorch: {@code F.conv_transpose2d(x, weight, bias, stride,
     * padding, output_padding, groups, dilation)}.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int groups, int[] dilation) {
        return ConvolutionTranspose.apply(x, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    /**
     * Pads the last dimensions: {@code pad} holds (before, after) pairs from the last dimension backwards, e.g.
     * {@code {left, right, top, bottom}}; {@code mode} is {@code "constant"} (with {@code value}; negative pads
     * crop), {@code "reflect"}, {@code "replicate"} or {@code "circular"}. PyTorch: {@code F.pad(x, pad, mode, value)}.
     */
    public static Tensor pad(Tensor x, int[] pad, String mode, double value) {
        return Pad.apply(x, pad, mode, value);
    }

    /**
     * Upsamples {@code [N, C, H, W]} by integer factors, {@code "nearest"} or {@code "bilinear"} (with PyTorch's
     * {@code align_corners}). PyTorch: {@code F.interpolate(x, scale_factor=(sh, sw), mode=..., align_corners=...)}.
     */
    public static Tensor interpolate(Tensor x, int sh, int sw, String mode, boolean alignCorners) {
        return Upsample2d.apply(x, sh, sw, mode, alignCorners);
    }

    /** Zero padding of the last dimensions. PyTorch: {@code F.pad(x, pad)}. */
    public static Tensor pad(Tensor x, int... pad) {
        return Pad.apply(x, pad, "constant", 0);
    }

    /** {@link #conv2d} with stride 1, no padding, no dilation, one group. PyTorch: {@code F.conv2d(x, weight, bias)}. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
        return conv2d(x, weight, bias, 1, 0, 1, 1);
    }

    /**
     * 1-D convolution of {@code [N, C, L]} with {@code [out, C / groups, k]} filters; {@code bias} may be null.
     * PyTorch: {@code F.conv1d(x, weight, bias, stride, padding, dilation, groups)}.
     */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation,
                                int groups) {
        return Convolution.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** 2-D max pooling of {@code [N, C, H, W]}. PyTorch: {@code F.max_pool2d(x, kernel, stride, padding)}. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return MaxPoolWithIndices.apply(x, kernel, stride, padding);
    }

    /**
     * 2-D average pooling of {@code [N, C, H, W]}; the padding counts in the divisor, as PyTorch's default
     * {@code count_include_pad=True}. PyTorch: {@code F.avg_pool2d(x, kernel, stride, padding)}.
     */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return AvgPool.apply(x, kernel, stride, padding, true);
    }

    /**
     * 2-D max pooling with PyTorch's {@code ceil_mode}: a last partial window counts when it starts inside the input
     * or its left padding. PyTorch: {@code F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceilMode)}.
     */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding, boolean ceilMode) {
        return MaxPoolWithIndices.apply(x, kernel, stride, padding, ceilMode);
    }

    /**
     * 2-D average pooling with PyTorch's {@code ceil_mode} and {@code count_include_pad} (false: the divisor
     * counts only the window's part inside the input). PyTorch:
     * {@code F.avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad)}.
     */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return AvgPool.apply(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Average pooling of {@code [N, C, H, W]} to {@code [N, C, outH, outW]}. PyTorch: {@code F.adaptive_avg_pool2d(x, (h, w))}. */
    public static Tensor adaptiveAvgPool2d(Tensor x, long outH, long outW) {
        return AdaptiveAvgPool.apply(x, outH, outW);
    }

    /**
     * Batch normalization of {@code [N, C, *]} per channel: batch statistics when {@code training} (the running
     * ones, when given, updated in place: {@code (1 - momentum) running + momentum batch}, unbiased variance), else
     * the running statistics. Any of the running tensors, weight and bias may be null (the running ones not in
     * eval). PyTorch: {@code F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)}.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return NativeBatchNorm.apply(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /**
     * Layer normalization over the trailing {@code normalizedShape}; weight and bias ({@code normalizedShape}) may
     * be null. PyTorch: {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}.
     */
    public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return NativeGroupNorm.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /**
     * Group normalization of {@code [N, C, *]}: each sample's channels in {@code groups} groups, each normalized by
     * its own statistics; weight and bias ({@code [C]}) may be null. PyTorch: {@code F.group_norm(x, groups,
     * weight, bias, eps)}.
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        return NativeGroupNorm.groupNorm(x, groups, weight, bias, eps);
    }

    /** Exact GELU, {@code x Phi(x)} (erf). PyTorch: {@code F.gelu(x)}. */
    public static Tensor gelu(Tensor x) {
        return Unary.gelu(x);
    }

    /** {@code x} where positive, else {@code alpha (e^x - 1)}. PyTorch: {@code F.elu(x, alpha)}. */
    public static Tensor elu(Tensor x, double alpha) {
        return Unary.elu(x, alpha);
    }

    /**
     * {@code log(1 + e^(beta x)) / beta}, the identity where {@code beta x > 20} (PyTorch's default threshold).
     * PyTorch: {@code F.softplus(x, beta)}.
     */
    public static Tensor softplus(Tensor x, double beta) {
        return Unary.softplus(x, beta);
    }

    /** {@code x sigmoid(x)}. PyTorch: {@code F.silu(x)}. */
    public static Tensor silu(Tensor x) {
        return Unary.silu(x);
    }

    /** {@code x} where positive, else {@code slope x}. PyTorch: {@code F.leaky_relu(x, negative_slope)}. */
    public static Tensor leakyRelu(Tensor x, double slope) {
        return Unary.leakyRelu(x, slope);
    }

    /**
     * The rows of {@code weight} ({@code [num, dim]}) that the int64 {@code indices} pick, shape
     * {@code [indices..., dim]}. PyTorch: {@code F.embedding(indices, weight)}.
     *
     * @throws IllegalArgumentException naming an index out of range, its position and the table's size
     */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return EmbeddingLookup.apply(indices, weight);
    }

    /**
     * {@code softmax(q k^T / sqrt(E) + mask) v} over the last two dimensions (leading ones broadcast):
     * {@code attnMask} ({@code [L, S]}) is added (a bool one forbids where true) and may be null; {@code isCausal}
     * forbids each query from attending to later keys. PyTorch: {@code F.scaled_dot_product_attention(q, k, v,
     * attn_mask, is_causal=...)}.
     */
    public static Tensor scaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor attnMask, boolean isCausal) {
        if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.size(-1) != k.size(-1) || k.size(-2) != v.size(-2)) {
            throw new IllegalArgumentException("scaled_dot_product_attention: expected q [..., L, E], k [..., S, E] "
                    + "and v [..., S, Ev], got " + dev.nn4j.core.Shapes.str(q.shape()) + ", "
                    + dev.nn4j.core.Shapes.str(k.shape()) + ", " + dev.nn4j.core.Shapes.str(v.shape()));
        }
        long l = q.size(-2);
        long s = k.size(-2);
        Tensor scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(q.size(-1)));
        if (isCausal) {
            scores = scores.add(Masks.causal(l, s).to(scores.dtype()).to(scores.device()));
        }
        if (attnMask != null) {
            scores = scores.add(Masks.additive(attnMask, scores.dtype(), scores.device()));
        }
        return scores.softmax(-1).matmul(v);
    }

    /** A double as Python prints it ({@code 0.5}, {@code 1.0}, {@code 1e-05}), for printed trees. */
    static String pythonFloat(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e16) {
            return (long) v + ".0";
        }
        String s = Double.toString(v);
        if (s.contains("E")) {
            String[] parts = s.split("E");
            String mant = parts[0].endsWith(".0") ? parts[0].substring(0, parts[0].length() - 2) : parts[0];
            int exp = Integer.parseInt(parts[1]);
            return mant + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
        }
        return s;
    }

    // ---------------------------------------------------------------- the op table

    /**
     * Every differentiable op, by the name of its case in a PyTorch fixture ({@code *ops_float64.json}): the role
     * PyTorch's {@code derivatives.yaml} plays. It drives the parity tests (values and every gradient against
     * PyTorch's, and a float64 finite-difference check) and the coverage check (every op class of
     * {@code dev.nn4j.core.ops} is named here or in {@link #NOT_IN_TABLE}; every case has a fixture and every
     * fixture case a row). A new op adds its row here, beside its entry point.
     */
    static final List<OpCase> OPS = List.of(
            OpCase.of("add_broadcast_row", Binary.class, (x, a) -> x[0].add(x[1])),
            OpCase.of("add_broadcast_col", Binary.class, (x, a) -> x[0].add(x[1])),
            OpCase.of("sub", Binary.class, (x, a) -> x[0].sub(x[1])),
            OpCase.of("mul_broadcast", Binary.class, (x, a) -> x[0].mul(x[1])),
            OpCase.of("div", Binary.class, (x, a) -> x[0].div(x[1])),
            OpCase.of("matmul", MatMul.class, (x, a) -> x[0].matmul(x[1])),
            OpCase.of("matmul_batched", MatMul.class, (x, a) -> x[0].matmul(x[1])),
            OpCase.of("matmul_batched_equal", MatMul.class, (x, a) -> x[0].matmul(x[1])),
            OpCase.of("relu", Unary.class, (x, a) -> relu(x[0])).nearKinks(),
            OpCase.of("sigmoid", Unary.class, (x, a) -> sigmoid(x[0])),
            OpCase.of("tanh", Unary.class, (x, a) -> tanh(x[0])),
            OpCase.of("exp", Unary.class, (x, a) -> x[0].exp()),
            OpCase.of("log", Unary.class, (x, a) -> x[0].log()),
            OpCase.of("pow3", Unary.class, (x, a) -> x[0].pow(3)),
            OpCase.of("sqrt", Unary.class, (x, a) -> x[0].sqrt()),
            OpCase.of("abs", Unary.class, (x, a) -> x[0].abs()).nearKinks(),
            OpCase.of("neg", Unary.class, (x, a) -> x[0].neg()),
            OpCase.of("sum_all", Reduce.class, (x, a) -> x[0].sum()),
            OpCase.of("mean_all", Reduce.class, (x, a) -> x[0].mean()),
            OpCase.of("sum_dim1_keepdim", Reduce.class, (x, a) -> x[0].sum(1, true)),
            OpCase.of("mean_dim0", Reduce.class, (x, a) -> x[0].mean(0, false)),
            OpCase.of("max_dim1", Max.class, (x, a) -> x[0].max(1)).nearKinks(),
            OpCase.of("transpose", Transpose.class, (x, a) -> x[0].t()),
            OpCase.of("reshape", Reshape.class, (x, a) -> x[0].reshape(2, -1)),
            OpCase.of("cat_dim1", Cat.class, (x, a) -> Tensor.cat(1, x[0], x[1])),
            OpCase.of("index_row", Index.class, (x, a) -> x[0].get(a.i("row"))),
            OpCase.of("slice_columns", Index.class,
                    (x, a) -> x[0].get(NDArrayIndex.all(), NDArrayIndex.interval(a.i("start"), a.i("end")))),
            OpCase.of("softmax_dim1", SoftmaxOp.class, (x, a) -> softmax(x[0], 1)),
            OpCase.of("log_softmax_dim1", SoftmaxOp.class, (x, a) -> logSoftmax(x[0], 1)),
            OpCase.of("linear", Addmm.class, (x, a) -> linear(x[0], x[1], x[2])),
            OpCase.of("mse_loss", MseLoss.class, (x, a) -> mseLoss(x[0], x[1])),
            // in eval, dropout is its input itself: no op of its own runs
            OpCase.of("dropout_eval", null, (x, a) -> dropout(x[0], 0.5, false)),
            OpCase.of("cross_entropy_mean", CrossEntropy.class, (x, a) -> crossEntropy(x[0], a.tensor("target"))),
            // vision layers (fixtures/vision)
            OpCase.of("permute_021", Permute.class, (x, a) -> x[0].permute(a.ints("dims"))),
            OpCase.of("unsqueeze_1", Reshape.class, (x, a) -> x[0].unsqueeze(a.i("dim"))),
            OpCase.of("squeeze_1", Reshape.class, (x, a) -> x[0].squeeze(a.i("dim"))),
            OpCase.of("flatten_1_3", Reshape.class, (x, a) -> x[0].flatten(a.i("start_dim"), a.i("end_dim"))),
            OpCase.of("flatten_0_1", Reshape.class, (x, a) -> x[0].flatten(a.i("start_dim"), a.i("end_dim"))),
            OpCase.of("conv1d", Convolution.class, (x, a) -> conv1d(x[0], x[1], x[2], a.i("stride"),
                    a.i("padding"), a.i("dilation"), a.i("groups"))),
            OpCase.of("conv2d_basic", Convolution.class, OpCase::conv2d),
            OpCase.of("conv2d_stride_pad", Convolution.class, OpCase::conv2d),
            OpCase.of("conv2d_dilation", Convolution.class, OpCase::conv2d),
            OpCase.of("conv2d_groups", Convolution.class, OpCase::conv2d),
            OpCase.of("conv2d_depthwise", Convolution.class, OpCase::conv2d),
            OpCase.of("conv_transpose2d", ConvolutionTranspose.class, OpCase::convTranspose2d),
            OpCase.of("nll_loss_mean", NllLoss.class, (x, a) -> nllLoss(x[0], a.tensor("target"), a.s("reduction"))),
            OpCase.of("nll_loss_sum", NllLoss.class, (x, a) -> nllLoss(x[0], a.tensor("target"), a.s("reduction"))),
            OpCase.of("bce_with_logits_mean", BceWithLogits.class, (x, a) -> binaryCrossEntropyWithLogits(x[0], x[1],
                    a.s("reduction"))),
            OpCase.of("bce_with_logits_sum", BceWithLogits.class, (x, a) -> binaryCrossEntropyWithLogits(x[0], x[1],
                    a.s("reduction"))),
            OpCase.of("bce_with_logits_none", BceWithLogits.class, (x, a) -> binaryCrossEntropyWithLogits(x[0],
                    x[1], a.s("reduction"))),
            OpCase.of("pad_constant", Pad.class, OpCase::pad),
            OpCase.of("upsample_nearest", Upsample2d.class, OpCase::interpolate),
            OpCase.of("upsample_bilinear", Upsample2d.class, OpCase::interpolate),
            OpCase.of("upsample_bilinear_align_corners", Upsample2d.class, OpCase::interpolate),
            OpCase.of("pad_reflect", Pad.class, OpCase::pad),
            OpCase.of("pad_replicate", Pad.class, OpCase::pad),
            OpCase.of("pad_circular", Pad.class, OpCase::pad),
            OpCase.of("conv_transpose2d_groups_dilation", ConvolutionTranspose.class, OpCase::convTranspose2d),
            OpCase.of("conv2d_nonsquare", Convolution.class, (x, a) -> conv2d(x[0], x[1], a.b("bias") ? x[2] : null,
                    a.ints("stride"), a.ints("padding"), a.ints("dilation"), a.i("groups"))),
            OpCase.of("conv2d_nobias", Convolution.class, OpCase::conv2d),
            OpCase.of("conv2d_1x1", Convolution.class, OpCase::conv2d),
            OpCase.of("max_pool2d", MaxPoolWithIndices.class, (x, a) -> maxPool2d(x[0], a.i("kernel_size"),
                    a.i("stride"), a.i("padding"))),
            OpCase.of("max_pool2d_pad", MaxPoolWithIndices.class, (x, a) -> maxPool2d(x[0], a.i("kernel_size"),
                    a.i("stride"), a.i("padding"))),
            OpCase.of("avg_pool2d", AvgPool.class, (x, a) -> avgPool2d(x[0], a.i("kernel_size"), a.i("stride"),
                    a.i("padding"))),
            OpCase.of("avg_pool2d_pad", AvgPool.class, (x, a) -> avgPool2d(x[0], a.i("kernel_size"), a.i("stride"),
                    a.i("padding"))),
            OpCase.of("max_pool2d_ceil", MaxPoolWithIndices.class, (x, a) -> maxPool2d(x[0], a.i("kernel_size"),
                    a.i("stride"), a.i("padding"), a.b("ceil_mode"))),
            OpCase.of("avg_pool2d_ceil_exclude_pad", AvgPool.class, (x, a) -> avgPool2d(x[0], a.i("kernel_size"),
                    a.i("stride"), a.i("padding"), a.b("ceil_mode"), a.b("count_include_pad"))),
            OpCase.of("adaptive_avg_pool2d", AdaptiveAvgPool.class, (x, a) -> adaptiveAvgPool2d(x[0],
                    a.longs("output_size")[0], a.longs("output_size")[1])),
            OpCase.of("adaptive_avg_pool2d_1", AdaptiveAvgPool.class, (x, a) -> adaptiveAvgPool2d(x[0],
                    a.longs("output_size")[0], a.longs("output_size")[1])),
            OpCase.of("batch_norm_train", NativeBatchNorm.class, OpCase::batchNorm),
            OpCase.of("batch_norm_eval", NativeBatchNorm.class, OpCase::batchNorm),
            OpCase.of("batch_norm_1d_train", NativeBatchNorm.class, OpCase::batchNorm),
            OpCase.of("batch_norm_1d_3d_train", NativeBatchNorm.class, OpCase::batchNorm),
            OpCase.of("layer_norm", NativeGroupNorm.class, (x, a) -> layerNorm(x[0], a.longs("normalized_shape"),
                    x[1], x[2], a.d("eps"))),
            OpCase.of("layer_norm_2d", NativeGroupNorm.class, (x, a) -> layerNorm(x[0], a.longs("normalized_shape"),
                    x[1], x[2], a.d("eps"))),
            OpCase.of("group_norm", NativeGroupNorm.class, (x, a) -> groupNorm(x[0], a.i("num_groups"), x[1], x[2],
                    a.d("eps"))),
            OpCase.of("gelu", Unary.class, (x, a) -> gelu(x[0])),
            OpCase.of("elu", Unary.class, (x, a) -> elu(x[0], a.d("alpha"))),
            OpCase.of("elu_half", Unary.class, (x, a) -> elu(x[0], a.d("alpha"))),
            // the input scaled by 15 inside the case, so that some of it crosses the threshold
            OpCase.of("softplus", Unary.class, (x, a) -> softplus(x[0].mul(15.0), a.d("beta"))),
            OpCase.of("softplus_beta2", Unary.class, (x, a) -> softplus(x[0].mul(15.0), a.d("beta"))),
            OpCase.of("silu", Unary.class, (x, a) -> silu(x[0])),
            OpCase.of("leaky_relu", Unary.class, (x, a) -> leakyRelu(x[0], a.d("negative_slope"))).nearKinks(),
            OpCase.of("leaky_relu_default", Unary.class, (x, a) -> leakyRelu(x[0], a.d("negative_slope")))
                    .nearKinks(),
            // sequence layers (fixtures/seq)
            OpCase.of("embedding", EmbeddingLookup.class, (x, a) -> embedding(a.tensor("indices"), x[0])),
            OpCase.of("lstm_cell", LstmCell.class, (x, a) -> LstmCell.apply(x[0], x[1], x[2])),
            OpCase.of("dropout_train", DropoutOp.class, (x, a) -> DropoutOp.withDraw(x[0], a.tensor("kept"),
                    a.d("p"))),
            OpCase.of("attention_heads_packed", AttentionHeads.class, (x, a) -> AttentionHeads.apply(x[0], x[0], x[0],
                    new int[] {0, a.i("embed_dim"), 2 * a.i("embed_dim")}, a.i("embed_dim"), a.i("heads"), true,
                    a.tensor("mask"), a.d("p"), a.tensor("kept"))),
            OpCase.of("attention_heads_cross", AttentionHeads.class, (x, a) -> AttentionHeads.apply(x[0], x[1], x[2],
                    new int[] {0, 0, 0}, a.i("embed_dim"), a.i("heads"), false, a.tensor("mask"), 0)),
            OpCase.of("lstm_layer", LstmLayer.class, (x, a) -> LstmLayer.apply(x[0], x[1], x[2], x[3], x[4],
                    a.b("reverse"))),
            OpCase.of("lstm_layer_reverse", LstmLayer.class, (x, a) -> LstmLayer.apply(x[0], x[1], x[2], x[3], x[4],
                    a.b("reverse"))));

    /** The op classes with no row in {@link #OPS}, and why each is checked elsewhere. */
    static final Map<Class<? extends Node>, String> NOT_IN_TABLE = Map.of(
            Compare.class, "never recorded: a comparison's mask has no gradient (AutogradTest, EdgeCaseTest)",
            Cast.class, "a dtype conversion whose backward casts back (AutogradTest, the float16 tests)",
            ToDevice.class, "a device copy; checked on the simulated devices (DevicesTest)");
}
