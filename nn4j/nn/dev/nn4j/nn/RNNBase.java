package dev.nn4j.nn;

import dev.nn4j.core.Shapes;
import dev.nn4j.core.Tensor;
import dev.nn4j.core.ops.LstmCell;
import dev.nn4j.core.ops.LstmLayer;
import dev.nn4j.init.Init;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share: PyTorch's parameters ({@code weight_ih_l0},
 * {@code bias_hh_l1_reverse}, ...; gates stacked in PyTorch's order), layers, directions, batch-first layout,
 * dropout between layers, initial states, the input checks and the printed form. PyTorch:
 * {@code torch.nn.modules.rnn.RNNBase}.
 *
 * <p>Each layer and direction projects the whole input sequence with one gemm ({@code [T B, in] x W_ih^T}); each
 * time step then adds {@code h W_hh^T} and applies the cell, all recorded on the tape.
 */
abstract class RNNBase extends Module {
    /** The cell a layer runs. */
    enum Mode { RNN_TANH, RNN_RELU, LSTM, GRU }

    final Mode mode;
    final long inputSize;
    final long hiddenSize;
    final int numLayers;
    final boolean bias;
    final boolean batchFirst;
    final double dropout;
    final boolean bidirectional;
    /** LSTM only: the size the hidden state is projected to ({@code weight_hr}), or 0 for none. */
    final long projSize;
    /** Per layer and direction (index {@code layer * directions + direction}): w_ih, w_hh, b_ih, b_hh, w_hr. */
    private final List<Parameter[]> cells = new ArrayList<>();

    RNNBase(Mode mode, long inputSize, long hiddenSize, int numLayers, boolean bias, boolean batchFirst,
            double dropout, boolean bidirectional) {
        this(mode, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, 0);
    }

    RNNBase(Mode mode, long inputSize, long hiddenSize, int numLayers, boolean bias, boolean batchFirst,
            double dropout, boolean bidirectional, long projSize) {
        if (inputSize < 1 || hiddenSize < 1 || numLayers < 1) {
            throw new IllegalArgumentException(typeName() + ": input_size, hidden_size and num_layers must be >= 1, "
                    + "got " + inputSize + ", " + hiddenSize + ", " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException(typeName() + ": dropout must be in [0, 1], got " + dropout);
        }
        if (projSize < 0 || projSize != 0 && mode != Mode.LSTM) {
            throw new IllegalArgumentException(projSize < 0 ? "proj_size should be a positive integer or zero to "
                    + "disable projections, got " + projSize : "proj_size argument is only supported for LSTM, "
                    + "not RNN or GRU");
        }
        if (projSize >= hiddenSize) {
            throw new IllegalArgumentException("proj_size has to be smaller than hidden_size, got proj_size="
                    + projSize + ", hidden_size=" + hiddenSize);
        }
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bias = bias;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.bidirectional = bidirectional;
        this.projSize = projSize;
        long gates = gates() * hiddenSize;
        for (int l = 0; l < numLayers; l++) {
            long in = l == 0 ? inputSize : outputSize() * directions();
            for (int d = 0; d < directions(); d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                Parameter[] p = new Parameter[5];
                p[0] = registerParameter("weight_ih" + suffix, new Parameter(Tensor.zeros(gates, in)));
                p[1] = registerParameter("weight_hh" + suffix, new Parameter(Tensor.zeros(gates, outputSize())));
                if (bias) {
                    p[2] = registerParameter("bias_ih" + suffix, new Parameter(Tensor.zeros(gates)));
                    p[3] = registerParameter("bias_hh" + suffix, new Parameter(Tensor.zeros(gates)));
                }
                if (projSize > 0) {
                    p[4] = registerParameter("weight_hr" + suffix, new Parameter(Tensor.zeros(projSize, hiddenSize)));
                }
                cells.add(p);
            }
        }
        resetParameters();
    }

    /** Gates per cell: 1, 4 (input, forget, cell, output) or 3 (reset, update, new). */
    final int gates() {
        return mode == Mode.LSTM ? 4 : mode == Mode.GRU ? 3 : 1;
    }

    final int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The size of the hidden state and of each direction's output: the projection's, or the hidden size. */
    final long outputSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }

    /** Every weight and bias from U(-1/sqrt(hidden), 1/sqrt(hidden)). PyTorch: {@code reset_parameters()}. */
    public void resetParameters() {
        double bound = 1 / Math.sqrt(hiddenSize);
        for (Parameter p : parameters()) {
            Init.uniform(p, -bound, bound);
        }
    }

    /** The output sequence for zero initial states. PyTorch: {@code rnn(x)[0]}. */
    @Override
    protected Tensor forward(Tensor x) {
        return run(x, null, null)[0];
    }

    @Override
    protected void prepare(Tensor x) {
        checkInput(x);
    }

    private void checkInput(Tensor x) {
        if (x.dim() != 3) {
            throw new IllegalArgumentException("expected 3-D input " + (batchFirst ? "[batch, seq, " : "[seq, batch, ")
                    + "input_size], got shape " + Shapes.str(x.shape()));
        }
        if (x.size(2) != inputSize) {
            throw new IllegalArgumentException("input.size(-1) must be equal to input_size. Expected " + inputSize
                    + ", got " + x.size(2) + " (input shape " + Shapes.str(x.shape()) + ")");
        }
    }

    /** Checks a given initial state ({@code what}: h0 or c0) against {@code [layers x directions, batch, size]}. */
    private void checkState(String what, Tensor s, long batch, long size) {
        long[] expected = {(long) numLayers * directions(), batch, size};
        if (s != null && !java.util.Arrays.equals(s.shape(), expected)) {
            throw new IllegalArgumentException("Expected " + what + " " + Shapes.str(expected) + ", got "
                    + Shapes.str(s.shape()));
        }
    }

    /** {output, h_n, c_n (LSTM, else null)} through the guarded path. */
    final Tensor[] runGuarded(Tensor x, Tensor h0, Tensor c0) {
        return callGuarded(new Tensor[] {x, h0, c0}, in -> {
            if (in[0] == null) {
                throw new IllegalArgumentException("input is null");
            }
            checkInput(in[0]);
            return run(in[0], in[1], in[2]);
        });
    }

    /**
     * {output data, h_n, c_n (LSTM, else null)} for a packed sequence, through the guarded path: the states in the
     * sequence's original batch order, as PyTorch returns them.
     */
    final Tensor[] runPackedGuarded(PackedSequence x, Tensor h0, Tensor c0) {
        java.util.Objects.requireNonNull(x, "the packed sequence");
        return callGuarded(new Tensor[] {x.data(), h0, c0}, in -> {
            Tensor data = in[0];
            if (data.dim() != 2 || data.size(1) != inputSize) {
                throw new IllegalArgumentException("expected packed data [sum of lengths, " + inputSize + "], got "
                        + Shapes.str(data.shape()));
            }
            long[] sizes = x.sizes();
            int[] active = new int[sizes.length];
            long total = 0;
            for (int t = 0; t < active.length; t++) {
                active[t] = (int) sizes[t];
                total += sizes[t];
            }
            if (data.size(0) != total) {
                throw new IllegalArgumentException("packed data has " + data.size(0) + " rows, but the batch sizes "
                        + "add up to " + total);
            }
            checkState("hidden size", in[1], sizes[0], outputSize());
            checkState("cell size", in[2], sizes[0], hiddenSize);
            long[] sorted = x.sorted();
            Tensor hs = in[1] == null || sorted == null ? in[1] : RnnUtils.select(in[1], sorted, 1);
            Tensor cs = in[2] == null || sorted == null ? in[2] : RnnUtils.select(in[2], sorted, 1);
            Tensor[] r = run(RnnUtils.unpack(data, sizes, sizes.length, 0), hs, cs, active);
            long[] unsorted = x.unsorted();
            Tensor hn = unsorted == null ? r[1] : RnnUtils.select(r[1], unsorted, 1);
            Tensor cn = unsorted == null || r[2] == null ? r[2] : RnnUtils.select(r[2], unsorted, 1);
            return new Tensor[] {RnnUtils.pack(r[0], sizes), hn, cn};
        });
    }

    /** {output, h_n, c_n}; the initial states may be null (zeros). */
    final Tensor[] run(Tensor x, Tensor h0, Tensor c0) {
        return run(x, h0, c0, null);
    }

    /**
     * {@link #run(Tensor, Tensor, Tensor)}; with {@code active} (a packed sequence's batch sizes) {@code x} is
     * time-major whatever the layout, and so is the output.
     */
    private Tensor[] run(Tensor x, Tensor h0, Tensor c0, int[] active) {
        Tensor seq = batchFirst && active == null ? x.transpose(0, 1) : x; // time-major inside
        long steps = seq.size(0);
        long batch = seq.size(1);
        checkState("hidden size", h0, batch, outputSize());
        checkState("cell size", c0, batch, hiddenSize);
        List<Tensor> hn = new ArrayList<>();
        List<Tensor> cn = new ArrayList<>();
        Tensor layerIn = seq;
        for (int l = 0; l < numLayers; l++) {
            Tensor[] outs = new Tensor[directions()];
            for (int d = 0; d < directions(); d++) {
                int k = l * directions() + d;
                Tensor h = h0 == null ? Tensor.zeros(batch, outputSize()).to(x.dtype()).to(x.device()) : h0.get(k);
                Tensor c = mode != Mode.LSTM ? null
                        : c0 == null ? Tensor.zeros(batch, hiddenSize).to(x.dtype()).to(x.device()) : c0.get(k);
                Tensor[] r = direction(layerIn, cells.get(k), h, c, d == 1, steps, batch, active);
                outs[d] = r[0];
                hn.add(r[1].unsqueeze(0));
                if (c != null) {
                    cn.add(r[2].unsqueeze(0));
                }
            }
            layerIn = directions() == 1 ? outs[0] : Tensor.cat(2, outs);
            if (l + 1 < numLayers && dropout > 0) {
                layerIn = Functional.dropout(layerIn, dropout, isTraining());
            }
        }
        Tensor output = batchFirst && active == null ? layerIn.transpose(0, 1) : layerIn;
        return new Tensor[] {output, Tensor.cat(0, hn.toArray(new Tensor[0])),
            cn.isEmpty() ? null : Tensor.cat(0, cn.toArray(new Tensor[0]))};
    }

    /**
     * One layer in one direction over {@code seq} ({@code [T, B, in]}): {outputs [T, B, H], h_T, c_T}. With
     * {@code active} only the first {@code active[t]} rows run at time {@code t}; the others keep their states and
     * output zeros, and h_T, c_T are each row's last.
     */
    private Tensor[] direction(Tensor seq, Parameter[] p, Tensor h, Tensor c, boolean reverse, long steps,
                               long batch, int[] active) {
        // the input projections of the whole sequence: one gemm, [T, B, gates H] (the rows folded, no copy)
        Tensor proj = Functional.linear(seq, p[0], p[2]);
        if (mode == Mode.LSTM && p[4] == null && steps > 0) {
            // the recurrence as one op; its output packs each step's [h, c] (and, packed, each row's final ones)
            Tensor packed = LstmLayer.apply(proj, p[1], p[3], h, c, reverse, active);
            Tensor last = packed.get((int) (active != null ? steps : reverse ? 0 : steps - 1));
            return new Tensor[] {packed.get(NDArrayIndex.interval(0, steps), NDArrayIndex.all(),
                    NDArrayIndex.interval(0, hiddenSize)), chunk(last, 0), chunk(last, 1)};
        }
        Tensor[] outs = new Tensor[(int) steps];
        for (int i = 0; i < steps; i++) {
            int t = reverse ? (int) steps - 1 - i : i;
            long m = active == null ? batch : active[t];
            if (m < batch) {
                // a packed sequence: the first m rows run, the others keep their states and output zeros
                Tensor[] r = step(proj.get(t).get(NDArrayIndex.interval(0, m)), rows(h, 0, m),
                        c == null ? null : rows(c, 0, m), p);
                h = Tensor.cat(0, r[0], rows(h, m, batch));
                c = c == null ? null : Tensor.cat(0, r[1], rows(c, m, batch));
                outs[t] = Tensor.cat(0, r[0], Tensor.zeros(batch - m, outputSize()).to(h.dtype()).to(h.device()))
                        .unsqueeze(0);
                continue;
            }
            Tensor[] r = step(proj.get(t), h, c, p);
            h = r[0];
            c = r[1];
            outs[t] = h.unsqueeze(0);
        }
        return new Tensor[] {Tensor.cat(0, outs), h, c};
    }

    private static Tensor rows(Tensor x, long from, long to) {
        return x.get(NDArrayIndex.interval(from, to));
    }

    /** One time step from the input's projection {@code xt} and the states: {h, c (LSTM, else null)}. */
    private Tensor[] step(Tensor xt, Tensor h, Tensor c, Parameter[] p) {
        Tensor hh = Functional.linear(h, p[1], p[3]);
        switch (mode) {
            case LSTM: {
                // one fused op for the gates and both states
                Tensor hc = LstmCell.apply(xt, hh, c);
                h = chunk(hc, 0);
                c = chunk(hc, 1);
                if (p[4] != null) {
                    h = Functional.linear(h, p[4], null); // the projection: h = W_hr (o * tanh(c))
                }
                break;
            }
            case GRU: {
                Tensor reset = chunk(xt, 0).add(chunk(hh, 0)).sigmoid();
                Tensor update = chunk(xt, 1).add(chunk(hh, 1)).sigmoid();
                Tensor fresh = chunk(xt, 2).add(reset.mul(chunk(hh, 2))).tanh();
                // PyTorch's form: n + z (h - n)
                h = fresh.add(update.mul(h.sub(fresh)));
                break;
            }
            case RNN_RELU:
                h = xt.add(hh).relu();
                break;
            default:
                h = xt.add(hh).tanh();
        }
        return new Tensor[] {h, c};
    }

    /** Gate {@code k} of stacked gates {@code [B, gates H]}. */
    private Tensor chunk(Tensor gates, int k) {
        return gates.get(NDArrayIndex.all(), NDArrayIndex.interval(k * hiddenSize, (k + 1) * hiddenSize));
    }

    @Override
    public String extraRepr() {
        StringBuilder s = new StringBuilder().append(inputSize).append(", ").append(hiddenSize);
        if (projSize != 0) {
            s.append(", proj_size=").append(projSize);
        }
        if (numLayers != 1) {
            s.append(", num_layers=").append(numLayers);
        }
        if (!bias) {
            s.append(", bias=False");
        }
        if (batchFirst) {
            s.append(", batch_first=True");
        }
        if (dropout != 0) {
            s.append(", dropout=").append(Functional.pythonFloat(dropout));
        }
        if (bidirectional) {
            s.append(", bidirectional=True");
        }
        return s.toString();
    }

    /** The options the recurrent layers' builders collect. */
    abstract static class Options<B extends Options<B>> {
        final long inputSize;
        final long hiddenSize;
        int numLayers = 1;
        boolean bias = true;
        boolean batchFirst;
        double dropout;
        boolean bidirectional;

        Options(long inputSize, long hiddenSize) {
            this.inputSize = inputSize;
            this.hiddenSize = hiddenSize;
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Stacked layers (default 1). */
        public B numLayers(int n) {
            this.numLayers = n;
            return self();
        }

        /** Input and output as {@code [batch, seq, feature]} (default false: {@code [seq, batch, feature]}). */
        public B batchFirst(boolean b) {
            this.batchFirst = b;
            return self();
        }

        /** A second, reversed direction per layer; outputs concatenated (default false). */
        public B bidirectional(boolean b) {
            this.bidirectional = b;
            return self();
        }

        /** Whether to learn biases (default true). */
        public B bias(boolean b) {
            this.bias = b;
            return self();
        }

        /** Dropout on each layer's output but the last, in training (default 0). */
        public B dropout(double p) {
            this.dropout = p;
            return self();
        }
    }
}
