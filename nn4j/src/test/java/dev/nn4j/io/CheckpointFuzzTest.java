package dev.nn4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static dev.nn4j.io.IoTestSupport.assertSameTensors;
import static dev.nn4j.io.IoTestSupport.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of a valid checkpoint. Every case must end in one of three ways: a no-op loads the original
 * exactly; a change confined to data bytes loads with the same keys, shapes and dtypes and exactly the mutated
 * bytes; anything else loads a self-consistent file or throws CheckpointException. Never another exception
 * type, never a hang.
 */
class CheckpointFuzzTest {
    private static final long SEED = 0x5AFE_7E45L;
    private static final int CASES = 4000;
    private static final String[] DTYPES = {"F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "U16",
        "U32", "U64", "BOOL", "F8_E4M3", "C64", "X", ""};

    enum Kind { NO_OP, BIT_FLIP, HEADER_BYTE, DATA_BYTES, TRUNCATE, EXTEND, LENGTH_FIELD, DIGIT, DTYPE_SWAP,
        JSON_CHAR, KEY_CLASH }

    record Mutation(Kind kind, String detail, byte[] bytes) {
    }

    @TempDir
    Path dir;

    private byte[] original;
    private int headerLength;
    private String json;
    private byte[] data;
    private Map<String, Tensor> originalTensors;
    private long[] boolRange;

    @Test
    void mutatedCheckpointsLoadConsistentlyOrAreRefused() throws IOException {
        Path base = dir.resolve("base.safetensors");
        Checkpoint.save(baseState(), base, Map.of("format", "pt", "epoch", "3"));
        original = Files.readAllBytes(base);
        SpecReaderTest.SpecFile spec = SpecReaderTest.readSpec(original);
        headerLength = (int) spec.headerLength();
        json = new String(original, 8, headerLength, StandardCharsets.UTF_8).stripTrailing();
        data = Arrays.copyOfRange(original, 8 + headerLength, original.length);
        originalTensors = Checkpoint.loadMap(base);
        JsonNode mask = spec.header().get("mask").get("data_offsets");
        boolRange = new long[] {8 + headerLength + mask.get(0).asLong(), 8 + headerLength + mask.get(1).asLong()};

        Map<Kind, int[]> outcomes = new EnumMap<>(Kind.class);
        Path f = dir.resolve("mutant.safetensors");
        Random rnd = new Random(SEED);
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            for (int i = 0; i < CASES; i++) {
                Mutation m = mutate(rnd, i);
                Files.write(f, m.bytes());
                int[] counts = outcomes.computeIfAbsent(m.kind(), k -> new int[2]);
                try {
                    Map<String, Tensor> loaded = Checkpoint.loadMap(f);
                    judgeLoaded(m, loaded, i);
                    counts[0]++;
                } catch (CheckpointException e) {
                    judgeRefused(m, e, i);
                    counts[1]++;
                } catch (Throwable t) {
                    fail("case " + i + " " + m.kind() + " (" + m.detail() + "): " + t.getClass().getName() + ": "
                            + t.getMessage(), t);
                }
            }
        });
        int loaded = 0;
        int refused = 0;
        for (Kind k : Kind.values()) {
            int[] c = outcomes.getOrDefault(k, new int[2]);
            assertTrue(c[0] + c[1] > 0, "mutation kind " + k + " was exercised");
            loaded += c[0];
            refused += c[1];
        }
        assertEquals(CASES, loaded + refused);
        assertTrue(outcomes.get(Kind.DATA_BYTES)[0] > 0 && outcomes.get(Kind.TRUNCATE)[1] > 0
                && outcomes.get(Kind.DIGIT)[1] > 0, "both outcomes occur");
    }

    private Map<String, Tensor> baseState() {
        Rng.manualSeed(11);
        Map<String, Tensor> m = new LinkedHashMap<>(
                new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2)).stateDict());
        m.put("step", Tensor.of(new long[] {42}, new long[0]));
        m.put("mask", Tensor.of(Nd4j.createFromArray(new boolean[] {true, false, true, true, false})));
        m.put("half", Tensor.of(new float[] {0.5f, -1.25f, 3f}, 3).to(DataType.HALF));
        m.put("empty", Tensor.of(Nd4j.create(DataType.FLOAT, 0, 3)));
        m.put("f64", Tensor.of(new double[] {1e-300, -2.5}, 2));
        return m;
    }

    private void judgeLoaded(Mutation m, Map<String, Tensor> loaded, int i) throws IOException {
        String where = "case " + i + " " + m.kind() + " (" + m.detail() + ")";
        if (Arrays.equals(m.bytes(), original)) {
            assertSameTensors(originalTensors, loaded, where);
            return;
        }
        if (dataOnly(m.bytes())) {
            assertEquals(keys(originalTensors), keys(loaded), where);
            SpecReaderTest.SpecFile spec = SpecReaderTest.readSpec(original);
            for (String k : originalTensors.keySet()) {
                Tensor t = loaded.get(k);
                assertEquals(originalTensors.get(k).dtype(), t.dtype(), where + " dtype of " + k);
                assertArrayEquals(originalTensors.get(k).shape(), t.shape(), where + " shape of " + k);
                JsonNode off = spec.header().get(k).get("data_offsets");
                byte[] expected = Arrays.copyOfRange(m.bytes(), 8 + headerLength + off.get(0).asInt(),
                        8 + headerLength + off.get(1).asInt());
                assertArrayEquals(expected, littleEndian(t), where + " bytes of " + k);
            }
            return;
        }
        // a changed header that still describes a valid file: it must account for every byte and survive a resave
        long n = ByteBuffer.wrap(m.bytes(), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long total = 0;
        for (Tensor t : loaded.values()) {
            total += t.numel() * t.array().dataType().width();
        }
        assertEquals(m.bytes().length - 8 - n, total, where + ": loaded tensors cover the data buffer");
        Path again = dir.resolve("resaved.safetensors");
        Checkpoint.save(loaded, again);
        assertSameTensors(loaded, Checkpoint.loadMap(again), where + " resaved");
    }

    private void judgeRefused(Mutation m, CheckpointException e, int i) {
        String where = "case " + i + " " + m.kind() + " (" + m.detail() + "): " + e.getMessage();
        if (Arrays.equals(m.bytes(), original)) {
            fail("an unchanged file was refused: " + where);
        }
        if (dataOnly(m.bytes())) {
            // data bytes are values; the one value a reader may refuse is a BOOL byte other than 0 or 1
            assertTrue(touchesBool(m.bytes()) && e.getMessage().contains("is BOOL"), where);
        }
        assertTrue(e.getMessage().startsWith("checkpoint "), where);
    }

    private boolean dataOnly(byte[] b) {
        if (b.length != original.length) {
            return false;
        }
        for (int i = 0; i < 8 + headerLength; i++) {
            if (b[i] != original[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean touchesBool(byte[] b) {
        for (long i = boolRange[0]; i < boolRange[1]; i++) {
            if (b[(int) i] != original[(int) i]) {
                return true;
            }
        }
        return false;
    }

    private static byte[] littleEndian(Tensor t) {
        byte[] raw = IoTestSupport.rawBytes(t);
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return raw;
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        NativeBytes.reverseEach(b, t.array().dataType().width());
        return raw;
    }

    private Mutation mutate(Random rnd, int i) {
        Kind kind = i < 5 ? Kind.NO_OP : Kind.values()[1 + rnd.nextInt(Kind.values().length - 1)];
        byte[] b = original.clone();
        switch (kind) {
            case NO_OP -> {
                return new Mutation(kind, i % 2 == 0 ? "unchanged" : "reframed", i % 2 == 0 ? b : reframe(json));
            }
            case BIT_FLIP -> {
                int at = rnd.nextInt(b.length);
                int bit = rnd.nextInt(8);
                b[at] ^= (byte) (1 << bit);
                return new Mutation(kind, "bit " + bit + " of byte " + at, b);
            }
            case HEADER_BYTE -> {
                int at = rnd.nextInt(8 + headerLength);
                b[at] = (byte) rnd.nextInt(256);
                return new Mutation(kind, "byte " + at + " := " + (b[at] & 0xff), b);
            }
            case DATA_BYTES -> {
                int count = 1 + rnd.nextInt(4);
                StringBuilder d = new StringBuilder();
                for (int k = 0; k < count; k++) {
                    int at = 8 + headerLength + rnd.nextInt(data.length);
                    b[at] = (byte) rnd.nextInt(256);
                    d.append(at).append(' ');
                }
                return new Mutation(kind, "data bytes " + d, b);
            }
            case TRUNCATE -> {
                int len = rnd.nextInt(b.length);
                return new Mutation(kind, "to " + len + " bytes", Arrays.copyOf(b, len));
            }
            case EXTEND -> {
                int extra = 1 + rnd.nextInt(64);
                byte[] out = Arrays.copyOf(b, b.length + extra);
                for (int k = b.length; k < out.length; k++) {
                    out[k] = (byte) (rnd.nextBoolean() ? ' ' : rnd.nextInt(256));
                }
                return new Mutation(kind, "by " + extra + " bytes", out);
            }
            case LENGTH_FIELD -> {
                long[] choices = {headerLength + 1 + rnd.nextInt(16), headerLength - 1 - rnd.nextInt(16), 0, 1, 7,
                    b.length - 8, b.length - 7, rnd.nextLong(), 100_000_000L, 100_000_001L, Long.MAX_VALUE, -1L,
                    headerLength + 8, headerLength - 8};
                long n = choices[rnd.nextInt(choices.length)];
                ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
                return new Mutation(kind, "header length := " + n, b);
            }
            case DIGIT -> {
                int at = randomIndexOf(json, rnd, Character::isDigit);
                StringBuilder s = new StringBuilder(json);
                int op = rnd.nextInt(3);
                char d = (char) ('0' + rnd.nextInt(10));
                if (op == 0) {
                    s.setCharAt(at, d);
                } else if (op == 1) {
                    s.deleteCharAt(at);
                } else {
                    s.insert(at, d);
                }
                return new Mutation(kind, "digit at " + at + " op " + op + " '" + d + "'", reframe(s.toString()));
            }
            case DTYPE_SWAP -> {
                String[] parts = json.split("\"dtype\":\"", -1);
                int which = 1 + rnd.nextInt(parts.length - 1);
                String to = DTYPES[rnd.nextInt(DTYPES.length)];
                parts[which] = to + parts[which].substring(parts[which].indexOf('"'));
                return new Mutation(kind, "dtype " + which + " := " + to, reframe(String.join("\"dtype\":\"", parts)));
            }
            case JSON_CHAR -> {
                StringBuilder s = new StringBuilder(json);
                int at = rnd.nextInt(s.length());
                String alphabet = "{}[],:\"0123456789-.eE \\nulltruefalseF32";
                char c = alphabet.charAt(rnd.nextInt(alphabet.length()));
                int op = rnd.nextInt(3);
                if (op == 0) {
                    s.setCharAt(at, c);
                } else if (op == 1) {
                    s.deleteCharAt(at);
                } else {
                    s.insert(at, c);
                }
                return new Mutation(kind, "char at " + at + " op " + op + " '" + c + "'", reframe(s.toString()));
            }
            case KEY_CLASH -> {
                String[] names = keys(originalTensors).toArray(new String[0]);
                String from = names[rnd.nextInt(names.length)];
                String[] targets = {names[rnd.nextInt(names.length)], "__metadata__", "format", ""};
                String to = targets[rnd.nextInt(targets.length)];
                return new Mutation(kind, "key " + from + " := " + to,
                        reframe(json.replace("\"" + from + "\":{", "\"" + to + "\":{")));
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** The original data behind a new header, framed correctly, so the mutation reaches the header's meaning. */
    private byte[] reframe(String header) {
        return IoTestSupport.frame(header, data);
    }

    private static int randomIndexOf(String s, Random rnd, java.util.function.IntPredicate p) {
        int[] candidates = s.chars().map(c -> 0).toArray();
        int n = 0;
        for (int k = 0; k < s.length(); k++) {
            if (p.test(s.charAt(k))) {
                candidates[n++] = k;
            }
        }
        return candidates[rnd.nextInt(n)];
    }
}
