package dev.nn4j.examples;

import dev.nn4j.core.NoGrad;
import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Embedding;
import dev.nn4j.nn.Functional;
import dev.nn4j.nn.LSTM;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Parameter;
import dev.nn4j.nn.TransformerEncoder;
import dev.nn4j.nn.TransformerEncoderLayer;
import dev.nn4j.optim.Adam;
import dev.nn4j.optim.GradClip;
import dev.nn4j.optim.LRScheduler;
import dev.nn4j.optim.LinearLR;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A character-level language model on the Book of Genesis (KJV, bundled): an LSTM, or a small causal transformer,
 * learns to predict the next character; prints the progress, saves the loss curve, then samples text from the
 * trained model. {@code mvn -q compile exec:java -Dexec.args="CharLM [outputDir] [lstm|transformer] [steps]"}.
 */
public final class CharLM {
    static final int SEQ = 64;
    static final int BATCH = 32;

    private CharLM() {
    }

    /** Embedding, LSTM, linear read-out: the next character's logits at every position. */
    static final class LstmModel extends Module {
        private final Embedding embed;
        private final LSTM lstm;
        private final Linear out;

        LstmModel(int vocab) {
            embed = registerModule("embed", new Embedding(vocab, 64));
            lstm = registerModule("lstm", LSTM.builder(64, 128).batchFirst(true).build());
            out = registerModule("out", new Linear(128, vocab));
        }

        @Override
        protected Tensor forward(Tensor chars) {
            return out.call(lstm.call(embed.call(chars)));
        }
    }

    /**
     * Embedding plus learned positions, a causal two-layer transformer encoder (as in PyTorch, its layers start as
     * copies of one), linear read-out.
     */
    static final class TransformerModel extends Module {
        private final Embedding embed;
        private final Parameter positions;
        private final TransformerEncoder encoder;
        private final Linear out;

        TransformerModel(int vocab) {
            embed = registerModule("embed", new Embedding(vocab, 64));
            positions = registerParameter("positions", new Parameter(Tensor.randn(SEQ, 64).mul(0.02)));
            encoder = registerModule("encoder", new TransformerEncoder(
                    TransformerEncoderLayer.builder(64, 4).dimFeedforward(256).dropout(0).batchFirst(true).build(), 2));
            out = registerModule("out", new Linear(64, vocab));
        }

        @Override
        protected Tensor forward(Tensor chars) {
            long t = chars.size(1);
            Tensor h = embed.call(chars).add(positions.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, t)));
            Tensor causal = TransformerEncoderLayer.squareSubsequentMask(t);
            return out.call(encoder.call(h, causal, null));
        }
    }

    /** The bundled text. */
    static String text() {
        try (InputStream in = CharLM.class.getResourceAsStream("/datasets/genesis-kjv.txt")) {
            if (in == null) {
                throw new IllegalStateException("datasets/genesis-kjv.txt is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Trains, plots and samples. */
    public static void main(String[] args) {
        Path outDir = Path.of(args.length > 0 ? args[0] : "target/examples");
        boolean transformer = args.length > 1 && args[1].equals("transformer");
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 300;
        Rng.manualSeed(42);
        String text = text();
        TreeSet<Character> set = new TreeSet<>();
        for (char ch : text.toCharArray()) {
            set.add(ch);
        }
        List<Character> vocab = new ArrayList<>(set);
        long[] codes = new long[text.length()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = vocab.indexOf(text.charAt(i));
        }
        Module net = transformer ? new TransformerModel(vocab.size()) : new LstmModel(vocab.size());
        System.out.println(net);
        Adam opt = new Adam(net.parameters(), 3e-3);
        LRScheduler warmup = new LinearLR(opt, 0.1, 1.0, Math.max(1, steps / 10));
        SplittableRandom rnd = new SplittableRandom(7);
        List<Double> curve = new ArrayList<>();
        double running = 0;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(transformer ? "transformer" : "lstm")
                .setInitialMax(steps).setConsumer(new ConsoleProgressBarConsumer(System.out)).continuousUpdate()
                .build()) {
            for (int step = 1; step <= steps; step++) {
                long[] x = new long[BATCH * SEQ];
                long[] y = new long[BATCH * SEQ];
                for (int b = 0; b < BATCH; b++) {
                    int at = rnd.nextInt(codes.length - SEQ - 1);
                    System.arraycopy(codes, at, x, b * SEQ, SEQ);
                    System.arraycopy(codes, at + 1, y, b * SEQ, SEQ);
                }
                opt.zeroGrad();
                Tensor logits = net.call(Tensor.of(x, BATCH, SEQ)).reshape(BATCH * SEQ, vocab.size());
                Tensor loss = Functional.crossEntropy(logits, Tensor.of(y, BATCH * SEQ));
                loss.backward();
                GradClip.clipGradNorm(net.parameters(), 1.0);
                opt.step();
                warmup.step();
                running = step == 1 ? loss.item() : 0.95 * running + 0.05 * loss.item();
                curve.add(loss.item());
                bar.step();
                bar.setExtraMessage(String.format("loss %.3f", running));
            }
        }
        System.out.printf("final loss (smoothed): %.3f nats per character%n", running);
        LossChart.save(curve, "char LM (" + (transformer ? "transformer" : "LSTM") + ")",
                outDir.resolve("charlm-loss.png"));
        System.out.println("loss curve: " + outDir.resolve("charlm-loss.png"));
        System.out.println("sample: " + sample(net, vocab, "And God said", 200, rnd));
    }

    /** {@code n} characters drawn from the model after {@code prompt}, with temperature 0.8. */
    static String sample(Module net, List<Character> vocab, String prompt, int n, SplittableRandom rnd) {
        net.eval();
        StringBuilder sb = new StringBuilder(prompt);
        try (NoGrad g = NoGrad.enter()) {
            for (int i = 0; i < n; i++) {
                String ctx = sb.length() > SEQ ? sb.substring(sb.length() - SEQ) : sb.toString();
                long[] codes = new long[ctx.length()];
                for (int j = 0; j < codes.length; j++) {
                    codes[j] = Math.max(0, vocab.indexOf(ctx.charAt(j)));
                }
                Tensor logits = net.call(Tensor.of(codes, 1, codes.length));
                Tensor last = logits.get(0, codes.length - 1).div(0.8).softmax(0);
                double u = rnd.nextDouble();
                double acc = 0;
                int pick = vocab.size() - 1;
                double[] p = last.array().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
                for (int j = 0; j < p.length; j++) {
                    acc += p[j];
                    if (u < acc) {
                        pick = j;
                        break;
                    }
                }
                sb.append(vocab.get(pick));
            }
        }
        return sb.toString();
    }
}
