package dev.nn4j.io;

import dev.nn4j.core.Rng;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.LazyLinear;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Module;
import dev.nn4j.nn.Parameter;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static dev.nn4j.io.IoTestSupport.assertSameTensor;
import static dev.nn4j.io.IoTestSupport.assertSameTensors;
import static dev.nn4j.io.IoTestSupport.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Save then load: the chapter's examples (tensor, list, dict, MLP state dict) and every dtype, exactly. */
class CheckpointRoundTripTest {
    @TempDir
    Path dir;

    @BeforeEach
    void seed() {
        Rng.manualSeed(42);
    }

    static Sequential mlp() {
        return new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
    }

    @Test
    void singleTensor() {
        Tensor x = Tensor.arange(4);
        Path p = dir.resolve("x-file");
        Checkpoint.save(x, p);
        Tensor x2 = Checkpoint.loadTensor(p);
        assertSameTensor(x, x2, "x");
        assertEquals(DataType.LONG, x2.dtype());
        assertFalse(x2.requiresGrad());
        assertEquals(Map.of("nn4j.kind", "tensor"), Checkpoint.loadMetadata(p));
        assertEquals(List.of("tensor"), keys(Checkpoint.loadMap(p)));
    }

    @Test
    void listOfTensors() {
        Tensor x = Tensor.arange(4);
        Tensor y = Tensor.zeros(4);
        Path p = dir.resolve("x-files");
        Checkpoint.save(List.of(x, y), p);
        List<Tensor> loaded = Checkpoint.loadList(p);
        assertEquals(2, loaded.size());
        assertSameTensor(x, loaded.get(0), "x");
        assertSameTensor(y, loaded.get(1), "y");
        assertEquals(List.of("0", "1"), keys(Checkpoint.loadMap(p)));
    }

    @Test
    void mapOfTensors() {
        Map<String, Tensor> mydict = new LinkedHashMap<>();
        mydict.put("x", Tensor.arange(4));
        mydict.put("y", Tensor.zeros(4));
        Path p = dir.resolve("mydict");
        Checkpoint.save(mydict, p);
        assertSameTensors(mydict, Checkpoint.loadMap(p), "mydict");
        assertEquals(Map.of(), Checkpoint.loadMetadata(p), "a map gets no added metadata");
    }

    @Test
    void mapKeepsInsertionOrder() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : new String[] {"zeta", "alpha", "10", "2", "mid"}) {
            m.put(k, Tensor.rand(2));
        }
        Path p = dir.resolve("order.safetensors");
        Checkpoint.save(m, p);
        assertEquals(List.of("zeta", "alpha", "10", "2", "mid"), keys(Checkpoint.loadMap(p)));
    }

    @Test
    void mlpStateDictRestoresTheSameFunction() {
        Sequential net = mlp();
        Tensor x = Tensor.rand(2, 20);
        Tensor y = net.call(x);
        Path p = dir.resolve("mlp.params");
        Checkpoint.save(net.stateDict(), p);

        Sequential clone = mlp();
        clone.loadStateDict(Checkpoint.loadMap(p));
        clone.eval();
        Tensor yClone = clone.call(x);
        assertArrayEquals(flat(y), flat(yClone), "same output, exactly");
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), keys(Checkpoint.loadMap(p)));
    }

    @Test
    void everyDtypeExactly() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f64", Tensor.of(new double[] {Math.PI, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN}, 5));
        m.put("i64", Tensor.of(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}, 5));
        m.put("bool", Tensor.of(Nd4j.createFromArray(new boolean[] {true, false, true, true})));
        m.put("f16", Tensor.of(new float[] {1.5f, -2f, 65504f, 6.1035156e-05f, 0.333f, -0f}, 2, 3).to(DataType.HALF));
        m.put("bf16", Tensor.of(new float[] {1.5f, -2f, 3.0e38f, 1e-30f}, 2, 2).to(DataType.BFLOAT16));
        m.put("f32", Tensor.of(new float[] {Float.intBitsToFloat(0x7fc01234), Float.MIN_VALUE, -1e30f}, 3));
        m.put("i32", Tensor.of(Nd4j.createFromArray(new int[] {Integer.MIN_VALUE, 7, Integer.MAX_VALUE})));
        m.put("i16", Tensor.of(Nd4j.createFromArray(new short[] {Short.MIN_VALUE, 3, Short.MAX_VALUE})));
        m.put("i8", Tensor.of(Nd4j.createFromArray(new byte[] {Byte.MIN_VALUE, 0, Byte.MAX_VALUE})));
        m.put("u8", Tensor.of(raw(DataType.UBYTE, new byte[] {0, 1, (byte) 255})));
        m.put("u16", Tensor.of(raw(DataType.UINT16, le16(0, 1, 0xffff))));
        m.put("u32", Tensor.of(raw(DataType.UINT32, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0xffffffff).putInt(5).array())));
        m.put("u64", Tensor.of(raw(DataType.UINT64, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(-1L).array())));
        m.put("scalar", Tensor.scalar(3.5));
        m.put("empty", Tensor.of(Nd4j.create(DataType.FLOAT, 0, 4)));
        m.put("empty_i64", Tensor.of(Nd4j.create(DataType.LONG, 3, 0)));
        Path p = dir.resolve("dtypes.safetensors");
        Checkpoint.save(m, p);
        Map<String, Tensor> loaded = Checkpoint.loadMap(p);
        assertSameTensors(m, loaded, "dtypes");
        assertEquals(DataType.HALF, loaded.get("f16").dtype());
        assertEquals(DataType.BFLOAT16, loaded.get("bf16").dtype());
        assertEquals(0, loaded.get("scalar").dim());
        assertEquals(3.5, loaded.get("scalar").item());
        assertArrayEquals(new long[] {0, 4}, loaded.get("empty").shape());
    }

    @Test
    void nonContiguousTensorsAreWrittenRowMajor() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor transposed = Tensor.of(m.array().transpose());
        Tensor rowSlice = Tensor.of(m.array().getRow(1));
        Path p = dir.resolve("views.safetensors");
        Checkpoint.save(Map.of("t", transposed), p);
        Tensor t = Checkpoint.loadTensor(p);
        assertArrayEquals(new long[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.array().dup('c').reshape(-1).toFloatVector());
        Checkpoint.save(List.of(rowSlice), p);
        assertArrayEquals(new float[] {4, 5, 6}, Checkpoint.loadList(p).get(0).array().toFloatVector());
    }

    @Test
    void metadataRoundTripsInOrder() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("epoch", "3");
        meta.put("note", "quotes \" and \\ and\nnewlines");
        Path p = dir.resolve("meta.safetensors");
        Checkpoint.save(Map.of("w", Tensor.ones(2)), p, meta);
        assertEquals(List.copyOf(meta.entrySet()), List.copyOf(Checkpoint.loadMetadata(p).entrySet()));
    }

    @Test
    void emptyListAndEmptyMap() {
        Path p = dir.resolve("empty.safetensors");
        Checkpoint.save(List.of(), p);
        assertEquals(List.of(), Checkpoint.loadList(p));
        Checkpoint.save(Map.of(), p);
        assertEquals(Map.of(), Checkpoint.loadMap(p));
    }

    @Test
    void loadingAsTheWrongKindIsRefusedWithAHint() {
        Path single = dir.resolve("single");
        Checkpoint.save(Tensor.ones(3), single);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.loadList(single));
        assertTrue(e.getMessage().contains("saved as a tensor") && e.getMessage().contains("loadTensor"),
                e.getMessage());

        Path list = dir.resolve("list");
        Checkpoint.save(List.of(Tensor.ones(3)), list);
        e = assertThrows(CheckpointException.class, () -> Checkpoint.loadTensor(list));
        assertTrue(e.getMessage().contains("saved as a list") && e.getMessage().contains("loadList"), e.getMessage());

        Path map = dir.resolve("map");
        Checkpoint.save(Map.of("a", Tensor.ones(1), "b", Tensor.ones(1)), map);
        e = assertThrows(CheckpointException.class, () -> Checkpoint.loadTensor(map));
        assertTrue(e.getMessage().contains("exactly one tensor") && e.getMessage().contains("holds 2"),
                e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Checkpoint.loadList(map));
        assertTrue(e.getMessage().contains("not a list index"), e.getMessage());
    }

    @Test
    void aForeignFileWithIndexKeysLoadsAsAListInIndexOrder() {
        // the safetensors library sorts keys by dtype, then by name: "10" comes before "2"
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i : new int[] {0, 1, 10, 2, 3, 4, 5, 6, 7, 8, 9}) {
            m.put(String.valueOf(i), Tensor.full(i, 1));
        }
        Path p = dir.resolve("foreign-list.safetensors");
        Checkpoint.save(m, p);
        List<Tensor> list = Checkpoint.loadList(p);
        for (int i = 0; i < 11; i++) {
            assertEquals(i, list.get(i).item());
        }
        m.remove("3");
        Checkpoint.save(m, p);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.loadList(p));
        assertTrue(e.getMessage().contains("\"10\" is not a list index"), e.getMessage());
        Checkpoint.save(Map.of("00", Tensor.ones(1)), p);
        assertThrows(CheckpointException.class, () -> Checkpoint.loadList(p));
    }

    @Test
    void badArgumentsToSaveAreRefusedBeforeAnyFileIsTouched() {
        Path p = dir.resolve("never.safetensors");
        Map<String, Tensor> reserved = Map.of("__metadata__", Tensor.ones(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(reserved, p))
                .getMessage().contains("reserved"));
        Map<String, Tensor> nullValue = new LinkedHashMap<>();
        nullValue.put("w", null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(nullValue, p))
                .getMessage().contains("\"w\" is null"));
        Map<String, Tensor> nullKey = new LinkedHashMap<>();
        nullKey.put(null, Tensor.ones(1));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(nullKey, p));
        Map<String, Tensor> strings = Map.of("s", Tensor.of(Nd4j.create("a", "b")));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(strings, p))
                .getMessage().contains("UTF8"));
        Map<String, Tensor> surrogate = Map.of("bad\ud800name", Tensor.ones(1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(surrogate, p))
                .getMessage().contains("Unicode"));
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.save(Map.of("w", Tensor.ones(1)), p, Map.of("nn4j.kind", "list")));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save((Tensor) null, p));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(Tensor.ones(1), null));
        assertFalse(p.toFile().exists());
        assertEquals(0, dir.toFile().list().length, "no temporary file either");
    }

    @Test
    void tiedParametersAreStoredUnderEachNameAndReloadIntoATiedModel() {
        Linear shared = new Linear(8, 8);
        Sequential net = new Sequential(new Linear(4, 8), shared, new ReLU(), shared);
        Path p = dir.resolve("tied.safetensors");
        Checkpoint.save(net.stateDict(), p);
        Map<String, Tensor> sd = Checkpoint.loadMap(p);
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"), keys(sd));
        Linear shared2 = new Linear(8, 8);
        Sequential clone = new Sequential(new Linear(4, 8), shared2, new ReLU(), shared2);
        clone.loadStateDict(sd);
        Tensor x = Tensor.rand(3, 4);
        assertArrayEquals(flat(net.call(x)), flat(clone.call(x)));
    }

    @Test
    void anUninitializedLazyParameterIsNotSaved() {
        Path p = dir.resolve("lazy.safetensors");
        Map<String, Tensor> params = new LinkedHashMap<>(new Sequential(new LazyLinear(4)).namedParameters());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(params, p));
        assertTrue(e.getMessage().contains("\"0.weight\" is an uninitialized parameter"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.save(Parameter.uninitialized(DataType.FLOAT), p));
    }

    @Test
    void strictLoadThatRefusesLeavesTheModuleUnchanged() {
        Path p = dir.resolve("mlp.safetensors");
        Checkpoint.save(mlp().stateDict(), p);
        Sequential narrow = new Sequential(new Linear(20, 128), new ReLU(), new Linear(128, 10));
        Map<String, Tensor> before = snapshot(narrow);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> narrow.loadStateDict(Checkpoint.loadMap(p)));
        assertTrue(e.getMessage().contains("size mismatch for 0.weight"), e.getMessage());
        assertSameTensors(before, snapshot(narrow), "parameters after the refused load");
    }

    @Test
    void lazyLinearTakesItsShapeFromACheckpoint() {
        Sequential net = new Sequential(new LazyLinear(256), new ReLU(), new Linear(256, 10));
        Tensor x = Tensor.rand(2, 20);
        net.call(x);
        Path p = dir.resolve("lazy.safetensors");
        Checkpoint.save(net.stateDict(), p);

        Sequential fresh = new Sequential(new LazyLinear(256), new ReLU(), new Linear(256, 10));
        LazyLinear first = fresh.get(0);
        assertFalse(first.isInitialized());
        fresh.loadStateDict(Checkpoint.loadMap(p));
        assertTrue(first.isInitialized());
        assertArrayEquals(new long[] {256, 20}, first.weight().shape());
        assertTrue(fresh.toString().contains("(0): Linear(in_features=20, out_features=256, bias=True)"),
                fresh.toString());
        assertArrayEquals(flat(net.call(x)), flat(fresh.call(x)));
    }

    @Test
    void reverseEachSwapsEveryElementForBigEndianHosts() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        NativeBytes.reverseEach(b, 4);
        assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5}, b.array());
        NativeBytes.reverseEach(b, 1);
        assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5}, b.array());
    }

    private static float[] flat(Tensor t) {
        return t.array().dup('c').reshape(-1).toFloatVector();
    }

    private static Map<String, Tensor> snapshot(Module m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, Tensor.of(v.array().dup())));
        return out;
    }

    private static INDArray raw(DataType type, byte[] littleEndian) {
        INDArray a = Nd4j.create(type, littleEndian.length / type.width());
        a.data().asNio().put(littleEndian);
        return a;
    }

    private static byte[] le16(int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }
}
