package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of real torch.save files: every one either loads or is refused with a CheckpointException,
 * never another exception and never a hang. Mutations that touch only storage bytes keep keys and shapes;
 * mutations of entries the reader ignores change nothing at all.
 */
class TorchCheckpointFuzzTest {
    // -Dnn4j.fuzz.seed and -Dnn4j.fuzz.scale (a case multiplier) widen a local hunt; the defaults keep CI fast
    private static final long SEED = Long.getLong("nn4j.fuzz.seed", 20240601L);
    private static final int SCALE = Integer.getInteger("nn4j.fuzz.scale", 1);
    private static final String SEQ = "seq_mlp_state_dict.pt";

    @TempDir
    Path tmp;

    private int loaded;
    private int refused;

    /** Loads {@code bytes}; a CheckpointException counts as a refusal, anything else fails the test. */
    private Map<String, Tensor> attempt(byte[] bytes, String what) {
        Path file = TorchZips.write(tmp.resolve("fuzz.pt"), bytes);
        try {
            Map<String, Tensor> sd = TorchCheckpoint.load(file);
            loaded++;
            return sd;
        } catch (CheckpointException e) {
            refused++;
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), what + ": empty message");
            return null;
        } catch (Throwable t) {
            throw new AssertionError(what + ": expected a load or a CheckpointException, got " + t, t);
        }
    }

    private void fuzz(int baseCases, Consumer<Random> oneCase) {
        int cases = baseCases * SCALE;
        Random r = new Random(SEED);
        assertTimeoutPreemptively(Duration.ofSeconds(60L * SCALE), () -> {
            for (int i = 0; i < cases; i++) {
                oneCase.accept(new Random(r.nextLong()));
            }
        });
        assertEquals(cases, loaded + refused);
        LoggerFactory.getLogger(TorchCheckpointFuzzTest.class).info("{} cases: {} loaded, {} refused", cases, loaded,
                refused);
    }

    @Test
    void mutatedPicklesLoadOrAreRefused() {
        Map<String, byte[]> entries = TorchZips.entries(TorchZips.fixture(SEQ));
        String pkl = "seq_mlp_state_dict/data.pkl";
        fuzz(1200, r -> {
            Map<String, byte[]> copy = new LinkedHashMap<>(entries);
            copy.put(pkl, mutate(r, entries.get(pkl)));
            attempt(TorchZips.zip(copy, false), "pickle mutation");
        });
        assertTrue(loaded > 0 && refused > 0, "both outcomes reached: " + loaded + " loaded, " + refused + " refused");
    }

    @Test
    void mutatedPicklesOfOtherFixturesLoadOrAreRefused() {
        for (String name : new String[] {"torch/dtypes.pt", "torch/nested.pt", "torch/protocol4.pt"}) {
            Map<String, byte[]> entries = TorchZips.entries(TorchZips.fixture(name));
            String pkl = entries.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
            fuzz(200, r -> {
                Map<String, byte[]> copy = new LinkedHashMap<>(entries);
                copy.put(pkl, mutate(r, entries.get(pkl)));
                attempt(TorchZips.zip(copy, false), name + " pickle mutation");
            });
            loaded = 0;
            refused = 0;
        }
    }

    @Test
    void mutatedStorageBytesKeepKeysAndShapes() {
        Path seq = TorchZips.fixture(SEQ);
        Map<String, Tensor> original = TorchCheckpoint.load(seq);
        Map<String, byte[]> entries = TorchZips.entries(seq);
        List<String> storages = entries.keySet().stream().filter(n -> n.contains("/data/")).toList();
        fuzz(300, r -> {
            Map<String, byte[]> copy = new LinkedHashMap<>(entries);
            String victim = storages.get(r.nextInt(storages.size()));
            byte[] b = copy.get(victim).clone();
            for (int k = 1 + r.nextInt(8); k > 0; k--) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            if (r.nextBoolean()) {
                b = Arrays.copyOf(b, b.length + r.nextInt(64)); // a longer storage entry is allowed
            }
            copy.put(victim, b);
            assertSameLayout(original, attempt(TorchZips.zip(copy, false), "storage mutation of " + victim));
        });
        assertEquals(0, refused);
    }

    @Test
    void rawByteMutationsLoadOrAreRefused() throws IOException {
        byte[] file = Files.readAllBytes(TorchZips.fixture(SEQ));
        Map<String, Tensor> original = TorchCheckpoint.load(TorchZips.fixture(SEQ));
        List<int[]> storageData = new ArrayList<>();
        List<int[]> ignoredData = new ArrayList<>();
        dataSpans(file).forEach((name, span) -> {
            if (name.contains("/data/")) {
                storageData.add(span);
            } else if (!name.endsWith("data.pkl") && !name.endsWith("byteorder")) {
                ignoredData.add(span); // version, .format_version, .storage_alignment, .data/serialization_id
            }
        });
        assertEquals(4, storageData.size());
        fuzz(900, r -> {
            byte[] mutated = mutate(r, file);
            Map<String, Tensor> sd = attempt(mutated, "raw mutation");
            int[] changed = changedRange(file, mutated);
            if (changed != null && within(changed, storageData)) {
                assertSameLayout(original, sd);
            } else if (changed != null && within(changed, ignoredData)) {
                assertSameValues(original, sd);
            }
        });
    }

    @Test
    void overwritesOfIgnoredEntriesChangeNothing() throws IOException {
        byte[] file = Files.readAllBytes(TorchZips.fixture(SEQ));
        Map<String, Tensor> original = TorchCheckpoint.load(TorchZips.fixture(SEQ));
        List<int[]> ignored = new ArrayList<>();
        dataSpans(file).forEach((name, span) -> {
            if (name.endsWith("/version") || name.contains("/.")) {
                ignored.add(span);
            }
        });
        fuzz(100, r -> {
            byte[] b = file.clone();
            int[] span = ignored.get(r.nextInt(ignored.size()));
            b[span[0] + r.nextInt(span[1] - span[0])] = (byte) r.nextInt(256);
            assertSameValues(original, attempt(b, "overwrite of an ignored entry"));
        });
        assertEquals(0, refused);
    }

    @Test
    void randomStreamsOfAllowedOpcodesLoadOrAreRefused() {
        // byte mutations rarely get deep into the VM; well-formed random programs reach every type check
        Map<String, byte[]> storages = Map.of("0", TorchZips.floats(1, 2, 3, 4), "1", TorchZips.floats(5, 6));
        fuzz(600, r -> {
            PickleBuilder p = new PickleBuilder();
            for (int n = 1 + r.nextInt(40); n > 0; n--) {
                randomOp(r, p);
            }
            attempt(TorchZips.zip(TorchZips.archive(p.stop().bytes(), storages), false), "random program");
        });
    }

    private static void randomOp(Random r, PickleBuilder p) {
        String[][] globals = {{"collections", "OrderedDict"}, {"torch._utils", "_rebuild_tensor_v2"},
            {"torch._utils", "_rebuild_parameter"}, {"torch._utils", "_rebuild_parameter_with_state"},
            {"torch", "Size"}, {"torch", "FloatStorage"}, {"torch", "BoolStorage"}, {"torch", "float16"}};
        switch (r.nextInt(20)) {
            case 0 -> p.mark();
            case 1 -> p.tuple();
            case 2 -> p.op(0x85 + r.nextInt(3));
            case 3 -> p.emptyDict();
            case 4 -> p.op(r.nextBoolean() ? 's' : 'u');
            case 5 -> p.op(']');
            case 6 -> p.op(r.nextBoolean() ? 'a' : 'e');
            case 7 -> p.integer(r.nextInt(8) - 2);
            case 8 -> p.str(new String[] {"storage", "0", "1", "cpu", "w", "_metadata"}[r.nextInt(6)]);
            case 9 -> {
                String[] g = globals[r.nextInt(globals.length)];
                p.global(g[0], g[1]);
            }
            case 10 -> p.reduce();
            case 11 -> p.op('Q');
            case 12 -> p.op('b');
            case 13 -> p.op('q', r.nextInt(4));
            case 14 -> p.op('h', r.nextInt(4));
            case 15 -> p.op(new int[] {'N', 0x88, 0x89, ')', '0', '1'}[r.nextInt(6)]);
            case 16 -> p.storage(r.nextBoolean() ? "FloatStorage" : "BoolStorage", "" + r.nextInt(2), r.nextInt(6));
            case 17 -> p.tensor("FloatStorage", "0", 4, r.nextInt(3), new long[] {r.nextInt(4)}, new long[] {r.nextInt(2)});
            case 18 -> p.op('G', 0x3f, 0xf0, 0, 0, 0, 0, 0, 0);
            default -> p.op('d');
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void assertSameLayout(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        if (actual == null) {
            fail("a storage-only change was refused");
        }
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((k, t) -> {
            assertArrayEquals(t.shape(), actual.get(k).shape(), k);
            assertEquals(t.dtype(), actual.get(k).dtype(), k);
        });
    }

    private static void assertSameValues(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertSameLayout(expected, actual);
        expected.forEach((k, t) -> assertEquals(t.array(), actual.get(k).array(), k));
    }

    /** One of the classic byte-level mutations: overwrite, bit flip, insert, delete, truncate, splice, extremes. */
    static byte[] mutate(Random r, byte[] in) {
        byte[] b = in.clone();
        int at = r.nextInt(b.length);
        switch (r.nextInt(7)) {
            case 0 -> {
                for (int k = 1 + r.nextInt(4); k > 0; k--) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
            case 2 -> {
                byte[] ins = new byte[1 + r.nextInt(8)];
                r.nextBytes(ins);
                b = concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
            }
            case 3 -> b = concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, Math.min(b.length,
                    at + 1 + r.nextInt(16)), b.length));
            case 4 -> b = Arrays.copyOf(b, at);
            case 5 -> {
                int len = 1 + r.nextInt(32);
                int from = r.nextInt(b.length);
                int n = Math.min(len, Math.min(b.length - from, b.length - at));
                System.arraycopy(in, from, b, at, n);
            }
            default -> {
                int[] extremes = {0x00, 0xff, 0x7f, 0x80, 0x7fffffff, 0x80000000, 0xffffffff};
                int v = extremes[r.nextInt(extremes.length)];
                for (int k = 0; k < (v > 0xff || v < 0 ? 4 : 1) && at + k < b.length; k++) {
                    b[at + k] = (byte) (v >>> (8 * k));
                }
            }
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }

    /** [first, last] differing byte of two equally long arrays, or null if they differ in length or not at all. */
    private static int[] changedRange(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return null;
        }
        int first = -1;
        int last = -1;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        return first < 0 ? null : new int[] {first, last};
    }

    private static boolean within(int[] changed, List<int[]> spans) {
        return spans.stream().anyMatch(s -> changed[0] >= s[0] && changed[1] < s[1]);
    }

    /** Entry name to [start, end) of its data in {@code zip}, from the central directory and local headers. */
    static Map<String, int[]> dataSpans(byte[] zip) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = zip.length - 22;
        while (b.getInt(eocd) != 0x06054b50) {
            eocd--;
        }
        int count = b.getShort(eocd + 10) & 0xffff;
        int p = b.getInt(eocd + 16);
        Map<String, int[]> spans = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int n = b.getShort(p + 28) & 0xffff;
            int m = b.getShort(p + 30) & 0xffff;
            int k = b.getShort(p + 32) & 0xffff;
            String name = new String(zip, p + 46, n, StandardCharsets.UTF_8);
            int local = b.getInt(p + 42);
            int start = local + 30 + (b.getShort(local + 26) & 0xffff) + (b.getShort(local + 28) & 0xffff);
            spans.put(name, new int[] {start, start + b.getInt(p + 20)});
            p += 46 + n + m + k;
        }
        return spans;
    }
}
