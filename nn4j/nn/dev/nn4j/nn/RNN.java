package dev.nn4j.nn;

import dev.nn4j.core.Tensor;

/**
 * A multi-layer Elman network, {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)} (or ReLU). PyTorch:
 * {@code nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
 * dropout=0, bidirectional=False)}. Shapes as {@link LSTM}'s, without a cell state.
 */
public class RNN extends RNNBase {
    /** One tanh layer. PyTorch: {@code nn.RNN(input_size, hidden_size)}. */
    public RNN(long inputSize, long hiddenSize) {
        this(builder(inputSize, hiddenSize));
    }

    private RNN(Builder b) {
        super(b.relu ? Mode.RNN_RELU : Mode.RNN_TANH, b.inputSize, b.hiddenSize, b.numLayers, b.bias, b.batchFirst,
                b.dropout, b.bidirectional);
    }

    /** Every option: {@code RNN.builder(in, hidden).nonlinearity("relu").numLayers(2).build()}. */
    public static Builder builder(long inputSize, long hiddenSize) {
        return new Builder(inputSize, hiddenSize);
    }

    /**
     * The output sequence and the final hidden state, from initial state {@code h0} (null means zeros). PyTorch:
     * {@code output, h_n = rnn(x, h0)}.
     */
    public Output callWithState(Tensor x, Tensor h0) {
        Tensor[] r = runGuarded(x, h0, null);
        return new Output(r[0], r[1]);
    }

    /**
     * The layer over a packed batch of sequences of different lengths (each run only to its end), from the initial
     * state {@code h0} in the batch's original order (null means zeros). PyTorch: {@code output, h_n = rnn(packed,
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
     * What an RNN returns.
     *
     * @param output {@code [seq, batch, directions x hidden]} (batch first if so built)
     * @param h {@code [layers x directions, batch, hidden]}
     */
    public record Output(Tensor output, Tensor h) {
    }

    /** Collects an {@link RNN}'s options. */
    public static final class Builder extends Options<Builder> {
        private boolean relu;

        Builder(long inputSize, long hiddenSize) {
            super(inputSize, hiddenSize);
        }

        /** {@code "tanh"} (default) or {@code "relu"}. */
        public Builder nonlinearity(String name) {
            if (!name.equals("tanh") && !name.equals("relu")) {
                throw new IllegalArgumentException("RNN: unknown nonlinearity '" + name + "'; use 'tanh' or 'relu'");
            }
            this.relu = name.equals("relu");
            return this;
        }

        /** The layer. */
        public RNN build() {
            return new RNN(this);
        }
    }
}
