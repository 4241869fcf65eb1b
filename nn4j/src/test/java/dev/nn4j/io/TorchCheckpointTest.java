package dev.nn4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files written by PyTorch itself (fixtures/torch/gen_torch_fixtures.py) load to exactly PyTorch's values. */
class TorchCheckpointTest {
    private static final Map<String, DataType> DTYPES = Map.of(
            "float32", DataType.FLOAT, "float64", DataType.DOUBLE, "float16", DataType.HALF,
            "bfloat16", DataType.BFLOAT16, "int64", DataType.LONG, "int32", DataType.INT, "int16", DataType.SHORT,
            "int8", DataType.BYTE, "uint8", DataType.UBYTE, "bool", DataType.BOOL);

    @TempDir
    Path tmp;

    /** Same keys in the same order, same shapes and dtypes, and bit-for-bit the same values. */
    static void assertMatches(String json, Map<String, Tensor> actual) {
        JsonNode tensors = Fixtures.load(json).get("tensors");
        List<String> keys = new ArrayList<>();
        tensors.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, new ArrayList<>(actual.keySet()), json + ": keys");
        for (String key : keys) {
            JsonNode node = tensors.get(key);
            Tensor t = actual.get(key);
            String what = json + " " + key;
            assertArrayEquals(Fixtures.shape(node.get("shape")), t.shape(), what + ": shape");
            String dtype = node.get("dtype").asText();
            assertEquals(DTYPES.get(dtype), t.dtype(), what + ": dtype");
            JsonNode data = node.get("data");
            assertEquals(data.size(), t.numel(), what + ": numel");
            if (t.numel() == 0) {
                continue;
            }
            INDArray flat = t.array().reshape(t.numel());
            boolean integral = dtype.startsWith("int") || dtype.equals("uint8");
            for (int i = 0; i < data.size(); i++) {
                if (integral) {
                    assertEquals(data.get(i).asLong(), flat.getLong(i), what + "[" + i + "]");
                } else {
                    assertEquals(data.get(i).asDouble(), flat.getDouble(i), 0.0, what + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void seqMlpStateDictLoadsToPyTorchValues() {
        Map<String, Tensor> sd = TorchCheckpoint.load(TorchZips.fixture("seq_mlp_state_dict.pt"));
        assertMatches("seq_mlp_state_dict.json", sd);
        assertTrue(sd instanceof LinkedHashMap, "insertion-ordered");
    }

    @Test
    void seqMlpStateDictRestoresAModule() {
        Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        Map<String, Tensor> sd = TorchCheckpoint.load(TorchZips.fixture("seq_mlp_state_dict.pt"));
        net.loadStateDict(sd);
        INDArray expected = sd.get("2.bias").array();
        assertEquals(expected, net.stateDict().get("2.bias").array());
    }

    @Test
    void checkpointLoadMapRecognizesTorchFilesByContent() {
        Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        net.loadStateDict(Checkpoint.loadMap(TorchZips.fixture("seq_mlp_state_dict.pt")));
        assertMatches("seq_mlp_state_dict.json", net.stateDict());
        // the safetensors library writes keys sorted by dtype then name, so compare through the module's order
        Sequential viaSafetensors = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        viaSafetensors.loadStateDict(Checkpoint.loadMap(TorchZips.fixture("seq_mlp_state_dict.safetensors")));
        assertMatches("seq_mlp_state_dict.json", viaSafetensors.stateDict());
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.loadMap(TorchZips.fixture("torch/legacy.pt")));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"views", "dtypes", "nested", "seq_state_dict", "parameters", "protocol4"})
    void torchFixtureLoadsToPyTorchValues(String name) {
        assertMatches("torch/" + name + ".json", TorchCheckpoint.load(TorchZips.fixture("torch/" + name + ".pt")));
    }

    @Test
    void nestedCheckpointIsFlattenedWithDottedKeysAndMetadataLeftOut() {
        Map<String, Tensor> sd = TorchCheckpoint.load(TorchZips.fixture("torch/nested.pt"));
        assertTrue(sd.containsKey("model.0.weight"));
        assertTrue(sd.containsKey("optimizer.state.0.momentum_buffer"), sd.keySet().toString());
        for (String key : sd.keySet()) {
            assertTrue(key.startsWith("model.") || key.startsWith("optimizer.state."), key);
        }
    }

    @Test
    void viewsBecomeIndependentContiguousCopies() {
        Map<String, Tensor> sd = TorchCheckpoint.load(TorchZips.fixture("torch/views.pt"));
        INDArray base = sd.get("base").array();
        assertEquals(base.transpose(), sd.get("transposed").array());
        sd.get("slice").array().assign(0);
        assertEquals(-3 + 6 * 0.5, base.getDouble(1, 0), 0.0, "a view's copy does not write through");
    }

    @Test
    void bigEndianArchivesAreSwapped() {
        Map<String, byte[]> entries = TorchZips.entries(TorchZips.fixture("torch/dtypes.pt"));
        Map<String, byte[]> swapped = new LinkedHashMap<>();
        Map<String, Integer> widths = storageWidths(entries.get("dtypes/data.pkl"));
        entries.forEach((name, bytes) -> {
            if (name.startsWith("dtypes/data/")) {
                bytes = swap(bytes, widths.get(name.substring("dtypes/data/".length())));
            }
            swapped.put(name, bytes);
        });
        swapped.put("dtypes/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        Path big = TorchZips.write(tmp.resolve("big.pt"), TorchZips.zip(swapped, false));
        assertMatches("torch/dtypes.json", TorchCheckpoint.load(big));
    }

    /** Storage key to element size, from the pickle as this package's own unpickler reads it. */
    private static Map<String, Integer> storageWidths(byte[] pickle) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        StateDictFlattener.flatten(Unpickler.load(pickle), 64, 1 << 20).tensors().values()
                .forEach(t -> widths.put(t.storage().key(), t.storage().dtype().elementSize));
        return widths;
    }

    private static byte[] swap(byte[] b, int width) {
        byte[] out = b.clone();
        for (int i = 0; i + width <= b.length; i += width) {
            for (int k = 0; k < width; k++) {
                out[i + k] = b[i + width - 1 - k];
            }
        }
        return out;
    }

    @Test
    void legacyFormatIsRefusedWithAdvice() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TorchCheckpoint.load(TorchZips.fixture("torch/legacy.pt")));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        assertTrue(e.getMessage().contains("torch.save(model.state_dict(), path)"), e.getMessage());
        assertTrue(e.getMessage().contains("_use_new_zipfile_serialization=False"), e.getMessage());
    }

    @Test
    void torchScriptIsRefusedWithAdvice() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TorchCheckpoint.load(TorchZips.fixture("torch/script.pt")));
        assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());
        assertTrue(e.getMessage().contains("state_dict()"), e.getMessage());
    }

    @Test
    void sniffsTorchFilesFromTheirFirstBytes() throws IOException {
        assertTrue(TorchCheckpoint.looksLikeTorchZip(head("seq_mlp_state_dict.pt")));
        assertTrue(TorchCheckpoint.looksLikeTorch(head("seq_mlp_state_dict.pt")));
        assertFalse(TorchCheckpoint.looksLikeTorchZip(head("torch/legacy.pt")));
        assertTrue(TorchCheckpoint.looksLikeTorch(head("torch/legacy.pt")));
        assertFalse(TorchCheckpoint.looksLikeTorch(head("seq_mlp_state_dict.safetensors")));
        assertFalse(TorchCheckpoint.looksLikeTorch(head("mixed_dtypes.safetensors")));
        assertFalse(TorchCheckpoint.looksLikeTorch(new byte[] {'P', 'K'}));
        assertFalse(TorchCheckpoint.looksLikeTorch(null));
    }

    private static byte[] head(String fixture) throws IOException {
        try (InputStream in = Files.newInputStream(TorchZips.fixture(fixture))) {
            return in.readNBytes(16);
        }
    }
}
