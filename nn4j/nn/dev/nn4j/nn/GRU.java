package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * A multi-layer gated recurrent unit network. PyTorch: {@code nn.GRU(input_size, hidden_size, num_layers=1,
 * bias=True, batch_first=False, dropout=0, bidirectional=False)}, with its parameter names, gate order (reset,
 * update, new: {@code n = tanh(W_in x + b_in + r (W_hn h + b_hn))}, {@code h' = n + z (h - n)}) and initialization.
 * Shapes as {@link LSTM}'s, without a cell state.
 */
public class GRU extends RNNBase {
    /** One layer. PyTorch: {@code nn.GRU(input_size, hidden_size)}. */
    public GRU(long inputSize, long hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private GRU(Builder b) {
        super(Mode.GRU, b.inputSize, b.hiddenSize, b.numLayers, b.bias, b.batchFirst, b.dropout, b.bidirectional);
    }

    /** Every option: {@code GRU.builder(in, hidden).numLayers(2).batchFirst(true).build()}. */
    public static Builder builder(long inputSize, long hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /**
     * The output sequence and the final hidden state, from initial state {@code h0} (null means zeros). PyTorch:
     * {@code output, h_n = gru(x, h0)}.
     */
    public Output callWithState(Tensor x, Tensor h0) {
        Tensor[] r = runGuarded(x, h0, null);
        return new Output(r[0], r[1]);
    }

    /**
     * The layer over a packed batch of sequences of different lengths (each run only to its end), from the initial
     * state {@code h0} in the batch's original order (null means zeros). PyTorch: {@code output, h_n = gru(packed,
     * h0)}.
     *
     * @throws ModuleInputException naming this module, its path and the shapes for a wrong input or state
     */
    public PackedOutput callPacked(PackedSequence x, Tensor h0) {
        Tensor[] r = runPackedGuarded(x, h0, null);
        return new PackedOutput(x.withData(r[0]), r[1]);
    }

    /**
     * What a packed input gives: the packed output and each sequence's final state (at its own last step), in the
     * batch's original order.
     *
     * @param output the packed output, {@code [sum of lengths, directions x hidden]} data
     * @param h {@code [layers x directions, batch, hidden]}
     */
    public record PackedOutput(PackedSequence output, Tensor h) {
    }

    /**
     * What a GRU returns.
     *
     * @param output {@code [seq, batch, directions x hidden]} (batch first if so built)
     * @param h {@code [layers x directions, batch, hidden]}
     */
    public record Output(Tensor output, Tensor h) {
    }

    /** Collects a {@link GRU}'s options. */
    public static final class Builder extends Options<Builder> {
        Builder(long inputSize, long hiddenSize) {
            super(inputSize, hiddenSize);
        }

        /** The layer. */
        public GRU build() {
            return new GRU(this);
        }
    }
}
