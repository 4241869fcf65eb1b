package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and damaged files: each is refused with a CheckpointException that names the problem. */
class TorchCheckpointHostileTest {
    private static final long[] FOUR = {4};
    private static final long[] ONE = {1};

    @TempDir
    Path tmp;

    private Path file(Map<String, byte[]> entries) {
        return TorchZips.write(tmp.resolve("x.pt"), TorchZips.zip(entries, false));
    }

    private static PickleBuilder oneTensor(long numel, long offset, long[] size, long[] stride) {
        return new PickleBuilder().emptyDict().str("w").tensor("FloatStorage", "0", numel, offset, size, stride)
                .setitem().stop();
    }

    private void assertRefused(Path file, String... fragments) {
        assertRefused(file, TorchLimits.DEFAULT, fragments);
    }

    private static void assertRefused(Path file, TorchLimits limits, String... fragments) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchCheckpoint.load(file, limits));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }

    private void assertPickleRefused(byte[] pickle, String... fragments) {
        assertRefused(file(TorchZips.archive(pickle, Map.of("0", TorchZips.floats(1, 2, 3, 4)))), fragments);
    }

    @Test
    void aHandBuiltStateDictLoads() {
        Path f = file(TorchZips.archive(oneTensor(4, 1, new long[] {3}, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4))));
        Map<String, Tensor> sd = TorchCheckpoint.load(f);
        assertArrayEquals(new float[] {2, 3, 4}, sd.get("w").array().toFloatVector());
    }

    // ---------------------------------------------------------------- the pickle

    @ParameterizedTest
    @CsvSource({"os, system", "builtins, eval", "posix, system", "subprocess, Popen", "torch, load",
                "torch.storage, _load_from_bytes", "torch._utils, _rebuild_qtensor", "collections, defaultdict"})
    void forbiddenGlobalsAreRefusedByName(String module, String name) {
        byte[] pickle = new PickleBuilder().global(module, name).mark().str("echo owned").tuple().reduce().stop()
                .bytes();
        assertPickleRefused(pickle, "refused global '" + module + "." + name + "'");
    }

    @Test
    void loadFromBytesIsRefusedWithTheReason() {
        byte[] pickle = new PickleBuilder().global("torch.storage", "_load_from_bytes").stop().bytes();
        assertPickleRefused(pickle, "_load_from_bytes", "unrestricted pickle");
    }

    @Test
    void forbiddenStackGlobalIsRefusedByName() {
        byte[] pickle = new PickleBuilder().str("builtins").str("exec").op(0x93).stop().bytes();
        assertPickleRefused(pickle, "builtins.exec");
    }

    @ParameterizedTest
    @CsvSource({"105, INST", "111, OBJ", "129, NEWOBJ", "146, NEWOBJ_EX", "130, EXT1", "131, EXT2", "132, EXT4",
                "66, BINBYTES", "67, SHORT_BINBYTES", "139, LONG4", "80, PERSID", "73, INT", "83, STRING",
                "143, EMPTY_SET", "145, FROZENSET", "151, NEXT_BUFFER", "50, DUP", "255, 0xff"})
    void forbiddenOpcodesAreRefusedByName(int opcode, String name) {
        byte[] pickle = new PickleBuilder().op(opcode).op(0, 0, 0, 0, 0, 0, 0, 0).stop().bytes();
        assertPickleRefused(pickle, "opcode " + name, "not allowed");
    }

    @Test
    void instWithAGlobalIsRefusedBeforeTheGlobalIsRead() {
        byte[] pickle = new PickleBuilder().mark().str("id").op('i').raw("os\nsystem\n".getBytes(
                StandardCharsets.US_ASCII)).stop().bytes();
        assertPickleRefused(pickle, "opcode INST");
    }

    @Test
    void reduceOnAStorageClassOrDtypeIsRefused() {
        assertPickleRefused(new PickleBuilder().global("torch", "FloatStorage").mark().integer(10).tuple().reduce()
                .stop().bytes(), "REDUCE on torch.FloatStorage");
        assertPickleRefused(new PickleBuilder().global("torch", "float32").emptyTuple().reduce().stop().bytes(),
                "REDUCE on torch.dtype");
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "notStorage", "badType", "traversalKey", "negativeNumel", "notATuple"})
    void badPersistentIdsAreRefused(String kind) {
        PickleBuilder p = new PickleBuilder();
        switch (kind) {
            case "short" -> p.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").tuple();
            case "notStorage" -> p.mark().str("module").global("torch", "FloatStorage").str("0").str("cpu")
                    .integer(4).tuple();
            case "badType" -> p.mark().str("storage").global("torch", "Size").str("0").str("cpu").integer(4)
                    .tuple();
            case "traversalKey" -> p.mark().str("storage").global("torch", "FloatStorage").str("../../etc")
                    .str("cpu").integer(4).tuple();
            case "negativeNumel" -> p.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu")
                    .integer(-4).tuple();
            default -> p.str("storage");
        }
        byte[] pickle = p.op('Q').stop().bytes();
        assertPickleRefused(pickle, "persistent id");
    }

    @Test
    void aStorageDeclaredTwiceWithDifferentSizesIsRefused() {
        byte[] pickle = new PickleBuilder().emptyDict()
                .str("a").tensor("FloatStorage", "0", 4, 0, FOUR, ONE).setitem()
                .str("b").tensor("FloatStorage", "0", 2, 0, new long[] {2}, ONE).setitem().stop().bytes();
        assertPickleRefused(pickle, "storage '0' is declared as 4 float32 and as 2 float32");
    }

    @Test
    void truncatedPickleIsRefused() {
        byte[] whole = oneTensor(4, 0, FOUR, ONE).bytes();
        for (int cut : new int[] {1, 2, 10, whole.length / 2, whole.length - 1}) {
            assertPickleRefused(Arrays.copyOf(whole, cut), "data.pkl");
        }
    }

    @Test
    void hugeStringLengthIsRefusedWithoutAllocating() {
        byte[] pickle = new PickleBuilder().op('X', 0xff, 0xff, 0xff, 0x7f).stop().bytes();
        assertPickleRefused(pickle, "truncated", "2147483647 bytes");
        assertPickleRefused(new PickleBuilder().op(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40).stop().bytes(), "truncated");
    }

    @Test
    void rootThatIsNotADictIsRefused() {
        byte[] pickle = new PickleBuilder().tensor("FloatStorage", "0", 4, 0, FOUR, ONE).stop().bytes();
        assertPickleRefused(pickle, "holds a tensor, not a dict");
    }

    @Test
    void selfContainingDictIsRefused() {
        byte[] pickle = new PickleBuilder().emptyDict().op('q', 0).str("me").op('h', 0).setitem().stop().bytes();
        assertPickleRefused(pickle, "contains itself");
    }

    @Test
    void sharedSubDictsCannotMultiplyKeysExponentially() {
        // d0 = {a: t, b: t}; d(k+1) = {a: dk, b: dk}: 2^40 keys from a few hundred bytes
        PickleBuilder p = new PickleBuilder().emptyDict().op('q', 0).str("a")
                .tensor("FloatStorage", "0", 4, 0, FOUR, ONE).op('q', 1).setitem().str("b").op('h', 1).setitem();
        for (int k = 0; k < 40; k++) {
            p.op('0').emptyDict().str("a").op('h', k).setitem().str("b").op('h', k).setitem().op('q', k + 1);
        }
        assertPickleRefused(p.stop().bytes(), "entries in all");
    }

    @Test
    void deepAndSharedTuplesCostLinearTime() {
        // t(k+1) = (t(k), t(k)) through the memo: 2^200 leaves in a few hundred bytes, then 10,000 levels deep
        PickleBuilder p = new PickleBuilder().emptyDict().str("w").tensor("FloatStorage", "0", 4, 0, FOUR, ONE)
                .setitem().str("meta").emptyTuple().op('q', 0);
        for (int k = 0; k < 200; k++) {
            p.op('0').op('h', 0).op('h', 0).op(0x86).op('q', 0);
        }
        for (int i = 0; i < 10_000; i++) {
            p.op(0x85);
        }
        byte[] asValue = p.setitem().stop().bytes();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            Map<String, Tensor> sd = TorchCheckpoint.load(file(TorchZips.archive(asValue,
                    Map.of("0", TorchZips.floats(1, 2, 3, 4)))));
            assertEquals(List.of("w"), List.copyOf(sd.keySet()), "the tuple is metadata, left out");
        });
        byte[] asKey = new PickleBuilder().emptyDict().emptyTuple().op('q', 0).op('0').op('h', 0).op('h', 0).op(0x86)
                .op('N').setitem().stop().bytes();
        assertPickleRefused(asKey, "dict key of type tuple is not supported");
    }

    @Test
    void deeplyNestedDictsAreRefused() {
        PickleBuilder p = new PickleBuilder();
        for (int i = 0; i < 200; i++) {
            p.emptyDict().str("k");
        }
        p.tensor("FloatStorage", "0", 4, 0, FOUR, ONE);
        for (int i = 0; i < 200; i++) {
            p.setitem();
        }
        assertPickleRefused(p.stop().bytes(), "nested more than 64");
    }

    @Test
    void duplicateKeysAfterFlatteningAreRefused() {
        byte[] pickle = new PickleBuilder().emptyDict()
                .str("a.b").tensor("FloatStorage", "0", 4, 0, FOUR, ONE).setitem()
                .str("a").emptyDict().str("b").tensor("FloatStorage", "0", 4, 0, FOUR, ONE).setitem().setitem()
                .stop().bytes();
        assertPickleRefused(pickle, "'a.b' occurs twice");
    }

    // ---------------------------------------------------------------- tensors against their storages

    @Test
    void storageShorterThanItsDeclaredSizeIsRefused() {
        Path f = file(TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(), Map.of("0", TorchZips.floats(1, 2))));
        assertRefused(f, "should hold 4 float32 elements of 4 bytes", "has only 8 bytes");
    }

    @Test
    void storageSizesBeyondAnyFileAreRefusedWithoutOverflow() {
        Path f = file(TorchZips.archive(oneTensor(1L << 62, 0, ONE, ONE).bytes(), Map.of("0", TorchZips.floats(1))));
        assertRefused(f, "should hold 4611686018427387904 float32 elements");
        long n = 1L << 31; // 2^62 elements of 4 bytes: the byte count alone overflows a long
        Path g = file(TorchZips.archive(oneTensor(1, 0, new long[] {n, n}, new long[] {0, 0}).bytes(),
                Map.of("0", TorchZips.floats(1))));
        assertRefused(g, "larger than 2 GiB");
    }

    @Test
    void missingStorageEntryIsRefused() {
        Path f = file(TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(), Map.of("1", TorchZips.floats(1))));
        assertRefused(f, "no entry archive/data/0");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "0; 5; 1; reaches element 4",           // size past the end
        "2; 3; 1; reaches element 4",           // offset pushes it past
        "0; 3; 2; reaches element 4",           // stride pushes it past
        "9; 1; 1; reaches element 9",           // offset alone
        "0; 2; 4611686018427387904; reaches element 4611686018427387904"  // far outside, no overflow
    })
    void viewsReachingOutsideTheirStorageAreRefused(long offset, long size, long stride, String fragment) {
        Path f = file(TorchZips.archive(oneTensor(4, offset, new long[] {size}, new long[] {stride}).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4))));
        assertRefused(f, fragment);
    }

    @Test
    void overflowingSizesAreRefused() {
        long big = 1L << 40;
        Path f = file(TorchZips.archive(oneTensor(4, 0, new long[] {big, big}, new long[] {0, 0}).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4))));
        assertRefused(f, "overflows a 64-bit element count");
    }

    @Test
    void negativeStridesAndSizesAreRefused() {
        Map<String, byte[]> storage = Map.of("0", TorchZips.floats(1, 2, 3, 4));
        assertRefused(file(TorchZips.archive(oneTensor(4, 3, FOUR, new long[] {-1}).bytes(), storage)),
                "tensor stride must hold ints >= 0");
        assertRefused(file(TorchZips.archive(oneTensor(4, 0, new long[] {-2}, ONE).bytes(), storage)),
                "tensor size must hold ints >= 0");
    }

    @Test
    void strideZeroExpansionBeyondTheFileIsRefusedBeforeAllocating() {
        // one float described as 2^15 x 2^15 elements: 4 GiB from a ~500-byte file
        long n = 1L << 15;
        Path f = file(TorchZips.archive(oneTensor(1, 0, new long[] {n, n}, new long[] {0, 0}).bytes(),
                Map.of("0", TorchZips.floats(1))));
        assertRefused(f, "larger than 2 GiB");
        long m = 3000; // 36 MB: under 2 GiB, over the loaded-bytes cap with a small floor
        Path g = file(TorchZips.archive(oneTensor(1, 0, new long[] {m, m}, new long[] {0, 0}).bytes(),
                Map.of("0", TorchZips.floats(1))));
        assertRefused(g, new TorchLimits(100, 1 << 20, 100, 1 << 20, 4, 64), "views expanded by their strides");
    }

    @Test
    void modestExpandedViewsStillLoad() {
        Path f = file(TorchZips.archive(oneTensor(1, 0, new long[] {3, 5}, new long[] {0, 0}).bytes(),
                Map.of("0", TorchZips.floats(7))));
        Tensor t = TorchCheckpoint.load(f).get("w");
        assertArrayEquals(new long[] {3, 5}, t.shape());
        assertEquals(7 * 15, t.sum().item(), 0.0);
    }

    // ---------------------------------------------------------------- the zip

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "archive/../../evil", "/etc/passwd", "archive\\..\\evil", "C:/evil"})
    void pathTraversingEntryNamesAreRefused(String name) {
        Map<String, byte[]> entries = TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4)));
        entries.put(name, new byte[] {1});
        assertRefused(file(entries), "zip entry name", "'..'");
    }

    @Test
    void duplicateEntryNamesAreRefused() {
        Map<String, byte[]> entries = TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4), "1", TorchZips.floats(9, 9, 9, 9)));
        byte[] zip = TorchZips.zip(entries, false);
        // ZipOutputStream refuses duplicates, so rename data/1 to data/0 in place (local and central headers)
        byte[] from = "archive/data/1".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + from.length <= zip.length; i++) {
            if (Arrays.equals(zip, i, i + from.length, from, 0, from.length)) {
                zip[i + from.length - 1] = '0';
            }
        }
        assertRefused(TorchZips.write(tmp.resolve("dup.pt"), zip), "'archive/data/0' appears twice");
    }

    @Test
    void truncatedArchivesAreRefused() throws IOException {
        byte[] whole = Files.readAllBytes(TorchZips.fixture("seq_mlp_state_dict.pt"));
        for (int cut : new int[] {4, 100, whole.length / 2, whole.length - 30, whole.length - 1}) {
            assertRefused(TorchZips.write(tmp.resolve("cut.pt"), Arrays.copyOf(whole, cut)),
                    "cannot load PyTorch checkpoint");
        }
    }

    @Test
    void emptyAndNonZipFilesAreRefused() {
        assertRefused(TorchZips.write(tmp.resolve("empty.pt"), new byte[0]), "not a zip-format torch.save file");
        assertRefused(TorchZips.write(tmp.resolve("text.pt"), "hello".getBytes(StandardCharsets.US_ASCII)),
                "not a zip-format");
        assertRefused(tmp.resolve("missing.pt"), "cannot read the file");
    }

    @Test
    void zipsWithoutAPickleAreRefused() {
        assertRefused(file(Map.of("archive/data/0", new byte[4])), "no <folder>/data.pkl");
        assertRefused(file(Map.of("data.pkl", oneTensor(4, 0, FOUR, ONE).bytes())), "no <folder>/data.pkl");
    }

    @Test
    void badByteorderIsRefused() {
        Map<String, byte[]> entries = TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4)));
        entries.put("archive/byteorder", "middle".getBytes(StandardCharsets.US_ASCII));
        assertRefused(file(entries), "says \"middle\"");
    }

    @Test
    void zipBombWithHonestSizesIsRefusedFromTheDirectory() throws IOException {
        // 50 MB of zeros deflate to ~50 KB; with a 1 MiB floor the cap is 100 x the file size
        Path bomb = tmp.resolve("bomb.pt");
        try (OutputStream out = Files.newOutputStream(bomb); ZipOutputStream z = new ZipOutputStream(out)) {
            byte[] pickle = oneTensor(4, 0, FOUR, ONE).bytes();
            z.putNextEntry(TorchZips.entry("archive/data.pkl", pickle, false));
            z.write(pickle);
            z.closeEntry();
            TorchZips.zeros(z, "archive/data/0", 50L << 20);
        }
        assertTrue(Files.size(bomb) < 200_000, "the bomb is small: " + Files.size(bomb));
        assertRefused(bomb, new TorchLimits(100, 1 << 20, 100, 1 << 20, 4, 64), "uncompressed bytes", "zip bomb");
    }

    @Test
    void multiGigabyteDeclaredSizeIsRefusedFromTheDirectory() {
        Map<String, byte[]> entries = TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4)));
        byte[] zip = TorchZips.zip(entries, true);
        TorchZips.patchCentral(zip, "archive/data/0", 24, 0xF000_0000L); // 4 GB
        assertRefused(TorchZips.write(tmp.resolve("big.pt"), zip), "zip bomb");
    }

    @Test
    void entryInflatingPastItsDeclaredSizeIsRefusedWhileReading() throws IOException {
        // the directory claims 16 bytes; the deflate stream holds 8 MB of zeros
        Path bomb = tmp.resolve("liar.pt");
        var bytes = new java.io.ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            byte[] pickle = oneTensor(4, 0, FOUR, ONE).bytes();
            z.putNextEntry(TorchZips.entry("archive/data.pkl", pickle, false));
            z.write(pickle);
            z.closeEntry();
            TorchZips.zeros(z, "archive/data/0", 8L << 20);
        }
        byte[] zip = bytes.toByteArray();
        TorchZips.patchCentral(zip, "archive/data/0", 24, 16);
        TorchZips.write(bomb, zip);
        assertRefused(bomb, "inflates to more than the 16 bytes it declares");
    }

    @Test
    void entriesOutsideTheArchiveFolderAreRefused() {
        Map<String, byte[]> entries = new LinkedHashMap<>(TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4))));
        entries.put("other/data.pkl", new PickleBuilder().emptyDict().stop().bytes());
        assertRefused(file(entries), "two pickles");
        entries.remove("other/data.pkl");
        entries.put("stray", new byte[1]);
        assertRefused(file(entries), "outside the archive folder");
    }

    @Test
    void tooManyEntriesAreRefused() {
        Map<String, byte[]> entries = TorchZips.archive(oneTensor(4, 0, FOUR, ONE).bytes(),
                Map.of("0", TorchZips.floats(1, 2, 3, 4)));
        for (int i = 0; i < 200; i++) {
            entries.put("archive/extra/" + i, new byte[0]);
        }
        assertRefused(file(entries), new TorchLimits(100, 1 << 20, 100, 1 << 20, 4, 64), "204 entries");
    }
}
