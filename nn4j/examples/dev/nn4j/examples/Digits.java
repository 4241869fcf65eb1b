package dev.nn4j.examples;

import dev.nn4j.core.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The 8x8 handwritten digits (UCI, CC BY 4.0; bundled as {@code datasets/digits.csv}): 1,797 images of 64 pixels
 * scaled to [0, 1], labels 0..9. A seeded split into training and test sets.
 *
 * @param trainX {@code [n, 64]} float32
 * @param trainY {@code [n]} int64
 * @param testX {@code [m, 64]} float32
 * @param testY {@code [m]} int64
 */
public record Digits(Tensor trainX, Tensor trainY, Tensor testX, Tensor testY) {
    /** Loads the bundled CSV, shuffles with {@code seed} and keeps {@code testFraction} for testing. */
    public static Digits load(long seed, double testFraction) {
        List<float[]> pixels = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        try (InputStream in = Digits.class.getResourceAsStream("/datasets/digits.csv")) {
            if (in == null) {
                throw new IllegalStateException("datasets/digits.csv is not on the classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] cells = line.split(",");
                float[] p = new float[64];
                for (int i = 0; i < 64; i++) {
                    p[i] = Integer.parseInt(cells[i]) / 16f;
                }
                pixels.add(p);
                labels.add(Long.parseLong(cells[64]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = pixels.size();
        int[] order = permutation(n, seed);
        int test = (int) Math.round(n * testFraction);
        return new Digits(images(pixels, order, test, n), labels(labels, order, test, n),
                images(pixels, order, 0, test), labels(labels, order, 0, test));
    }

    /** The rows {@code rows} of {@code t} (images or labels), as a new tensor: a mini-batch. */
    public static Tensor rows(Tensor t, int[] rows) {
        org.nd4j.linalg.api.ndarray.INDArray a = t.array();
        boolean vector = a.rank() == 1;
        org.nd4j.linalg.api.ndarray.INDArray m = vector ? a.reshape(a.length(), 1) : a;
        org.nd4j.linalg.api.ndarray.INDArray picked = org.nd4j.linalg.factory.Nd4j.pullRows(m, 1, rows);
        return Tensor.of(vector ? picked.reshape(rows.length) : picked);
    }

    /** A seeded Fisher-Yates permutation of {@code 0..n-1}. */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static Tensor images(List<float[]> pixels, int[] order, int from, int to) {
        float[] flat = new float[(to - from) * 64];
        for (int i = from; i < to; i++) {
            System.arraycopy(pixels.get(order[i]), 0, flat, (i - from) * 64, 64);
        }
        return Tensor.of(flat, to - from, 64);
    }

    private static Tensor labels(List<Long> labels, int[] order, int from, int to) {
        long[] y = new long[to - from];
        for (int i = from; i < to; i++) {
            y[i - from] = labels.get(order[i]);
        }
        return Tensor.of(y, to - from);
    }
}
