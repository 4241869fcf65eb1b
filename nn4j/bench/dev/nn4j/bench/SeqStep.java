package dev.nn4j.bench;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Embedding;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.LSTM;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.ModuleList;
import dev.nn4j.nn.TransformerEncoderLayer;
import dev.nn4j.optim.Adam;

/**
 * The sequence issue's training steps, as a PyTorch user writes them: next-token cross entropy, backward, Adam.
 * {@code lstm}: vocabulary 1000, embedding 128, LSTM hidden 256, 35 steps x batch 32. {@code transformer}: the same
 * vocabulary, d 128, two encoder layers (4 heads, feed-forward 512, dropout 0.1), batch 16 x 64 tokens.
 */
final class SeqStep {
    static final int VOCAB = 1000;
    final Module net;
    final Tensor x;
    final Tensor y;
    final Adam opt;

    SeqStep(String model) {
        Rng.manualSeed(0);
        boolean lstm = model.equals("lstm");
        int batch = lstm ? 32 : 16;
        int seq = lstm ? 35 : 64;
        net = lstm ? new LstmLm() : new TransformerLm();
        long[] tokens = new long[batch * seq];
        long[] next = new long[batch * seq];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(VOCAB);
            next[i] = r.nextInt(VOCAB);
        }
        x = Tensor.of(tokens, batch, seq);
        y = Tensor.of(next, batch * seq);
        opt = new Adam(net.parameters(), 1e-3);
    }

    double train() {
        opt.zeroGrad();
        Tensor logits = net.call(x);
        Tensor loss = Functional.crossEntropy(logits.reshape(-1, VOCAB), y);
        loss.backward();
        opt.step();
        return loss.item();
    }

    /** Embedding, LSTM (batch first), linear read-out. */
    static final class LstmLm extends Module {
        private final Embedding embed = registerModule("embed", new Embedding(VOCAB, 128));
        private final LSTM lstm = registerModule("lstm", LSTM.builder(128, 256).batchFirst(true).build());
        private final Linear out = registerModule("out", new Linear(256, VOCAB));

        @Override
        protected Tensor forward(Tensor tokens) {
            return out.call(lstm.call(embed.call(tokens)));
        }
    }

    /** Embedding, two encoder layers (batch first), linear read-out. */
    static final class TransformerLm extends Module {
        private final Embedding embed = registerModule("embed", new Embedding(VOCAB, 128));
        private final ModuleList layers = registerModule("layers", new ModuleList(
                TransformerEncoderLayer.builder(128, 4).dimFeedforward(512).batchFirst(true).build(),
                TransformerEncoderLayer.builder(128, 4).dimFeedforward(512).batchFirst(true).build()));
        private final Linear out = registerModule("out", new Linear(128, VOCAB));

        @Override
        protected Tensor forward(Tensor tokens) {
            Tensor h = embed.call(tokens);
            for (Module m : layers) {
                h = m.call(h);
            }
            return out.call(h);
        }
    }
}
