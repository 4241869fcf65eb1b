package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * A multi-layer long short-term memory network. PyTorch: {@code nn.LSTM(input_size, hidden_size, num_layers=1,
 * bias=True, batch_first=False, dropout=0, bidirectional=False)}, with its parameter names
 * ({@code weight_ih_l0}, {@code bias_hh_l1_reverse}, ...), gate order (input, forget, cell, output) and
 * initialization (U(-1/sqrt(hidden), 1/sqrt(hidden))).
 *
 * <p>Shapes: input {@code [seq, batch, input]} ({@code [batch, seq, input]} with batchFirst), output
 * {@code [seq, batch, directions x hidden]}, states {@code [layers x directions, batch, hidden]}; with a
 * projection ({@link Builder#projSize}) the output and {@code h} have {@code proj} features instead of
 * {@code hidden}.
 * <pre>{@code
 * LSTM lstm = LSTM.builder(128, 256).numLayers(2).build();
 * LSTM.Output o = lstm.callWithState(x, null, null);   // zero initial states
 * Tensor y = o.output(), h = o.h(), c = o.c();
 * }</pre>
 */
public class LSTM extends RNNBase {
    /** One layer. PyTorch: {@code nn.LSTM(input_size, hidden_size)}. */
    public LSTM(long inputSize, long hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private LSTM(Builder b) {
        super(Mode.LSTM, b.inputSize, b.hiddenSize, b.numLayers, b.bias, b.batchFirst, b.dropout, b.bidirectional,
                b.projSize);
    }

    /** Every option: {@code LSTM.builder(in, hidden).numLayers(2).batchFirst(true).bidirectional(true).build()}. */
    public static Builder builder(long inputSize, long hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /**
     * The output sequence and the final states, from initial states {@code h0} and {@code c0} (null means zeros).
     * PyTorch: {@code output, (h_n, c_n) = lstm(x, (h0, c0))}.
     *
     * @throws ModuleInputException naming this module, its path and the shapes for a wrong input or state
     */
    public Output callWithState(Tensor x, Tensor h0, Tensor c0) {
        Tensor[] r = runGuarded(x, h0, c0);
        return new Output(r[0], r[1], r[2]);
    }

    /**
     * The layer over a packed batch of sequences of different lengths (each run only to its end), from initial
     * states {@code h0} and {@code c0} in the batch's original order (null means zeros). PyTorch:
     * {@code output, (h_n, c_n) = lstm(packed, (h0, c0))}.
     *
     * @throws ModuleInputException naming this module, its path and the shapes for a wrong input or state
     */
    public PackedOutput callPacked(PackedSequence x, Tensor h0, Tensor c0) {
        Tensor[] r = runPackedGuarded(x, h0, c0);
        return new PackedOutput(x.withData(r[0]), r[1], r[2]);
    }

    /**
     * What an LSTM returns for a packed input: the packed output and each sequence's final states (at its own last
     * step), in the batch's original order.
     *
     * @param output the packed output, {@code [sum of lengths, directions x hidden]} data
     * @param h {@code [layers x directions, batch, hidden]}
     * @param c {@code [layers x directions, batch, hidden]}
     */
    public record PackedOutput(PackedSequence output, Tensor h, Tensor c) {
    }

    /**
     * What an LSTM returns: the output sequence and the final hidden and cell states.
     *
     * @param output {@code [seq, batch, directions x hidden]} (batch first if so built)
     * @param h {@code [layers x directions, batch, hidden]}
     * @param c {@code [layers x directions, batch, hidden]}
     */
    public record Output(Tensor output, Tensor h, Tensor c) {
    }

    /** Collects an {@link LSTM}'s options. */
    public static final class Builder extends Options<Builder> {
        private long projSize;

        Builder(long inputSize, long hiddenSize) {
            super(inputSize, hiddenSize);
        }

        /**
         * Projects each hidden state to {@code p < hidden} features ({@code weight_hr_l0}, {@code [p, hidden]}):
         * the output and {@code h} then have {@code p} features, the cell state keeps {@code hidden}. 0 (the
         * default) means no projection. PyTorch: {@code nn.LSTM(..., proj_size=p)}.
         */
        public Builder projSize(long p) {
            this.projSize = p;
            return this;
        }

        /** The layer. */
        public LSTM build() {
            return new LSTM(this);
        }
    }
}
