package dev.nn4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import static dev.nn4j.io.IoTestSupport.fixture;
import static dev.nn4j.io.IoTestSupport.keys;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Files written by the safetensors Python library load to the values PyTorch recorded, and nn4j writes them back identically. */
class CheckpointFixtureTest {
    @TempDir
    Path dir;

    private static final Map<String, DataType> MIXED_DTYPES = Map.of(
            "f32", DataType.FLOAT, "f64", DataType.DOUBLE, "i64", DataType.LONG, "i32", DataType.INT,
            "bool", DataType.BOOL, "f16", DataType.HALF, "bf16", DataType.BFLOAT16, "scalar", DataType.FLOAT,
            "empty", DataType.FLOAT);

    @Test
    void mixedDtypesLoadToTheRecordedValues() {
        Map<String, Tensor> loaded = Checkpoint.loadMap(fixture("mixed_dtypes.safetensors"));
        // the library orders by descending alignment, then name; nn4j keeps the header's order
        assertEquals(List.of("i64", "f64", "empty", "f32", "scalar", "i32", "bf16", "f16", "bool"), keys(loaded));
        JsonNode expected = Fixtures.load("mixed_dtypes.json").get("tensors");
        for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            Tensor t = loaded.get(k);
            assertEquals(MIXED_DTYPES.get(k), t.dtype(), k + ": dtype");
            assertExactly(expected.get(k), t, k);
        }
        assertEquals(0, loaded.get("scalar").dim());
        assertEquals(3.5, loaded.get("scalar").item());
        assertArrayEquals(new long[] {0, 4}, loaded.get("empty").shape());
    }

    @Test
    void sequentialStateDictLoadsToTheRecordedValuesAndIntoTheModel() {
        Map<String, Tensor> loaded = Checkpoint.loadMap(fixture("seq_mlp_state_dict.safetensors"));
        JsonNode expected = Fixtures.load("seq_mlp_state_dict.json").get("tensors");
        assertEquals(4, loaded.size());
        for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertEquals(DataType.FLOAT, loaded.get(k).dtype(), k);
            assertExactly(expected.get(k), loaded.get(k), k);
        }
        assertEquals(Map.of("format", "pt"), Checkpoint.loadMetadata(fixture("seq_mlp_state_dict.safetensors")));

        Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        net.loadStateDict(loaded);
        Linear last = net.get(2);
        assertExactly(expected.get("2.weight"), last.weight(), "2.weight in the model");
        assertExactly(expected.get("2.bias"), last.bias(), "2.bias in the model");
    }

    @Test
    void resavingALibraryFileReproducesItByteForByte() throws IOException {
        for (String name : new String[] {"seq_mlp_state_dict.safetensors", "mixed_dtypes.safetensors"}) {
            Path original = fixture(name);
            Path copy = dir.resolve(name);
            Checkpoint.save(Checkpoint.loadMap(original), copy, Checkpoint.loadMetadata(original));
            assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(copy), name);
        }
    }

    /** Shape, then every value exactly (f16/bf16 compared after widening, as the fixture records them). */
    private static void assertExactly(JsonNode expected, Tensor actual, String what) {
        assertArrayEquals(Fixtures.shape(expected.get("shape")), actual.shape(), what + ": shape");
        JsonNode data = expected.get("data");
        double[] got = actual.numel() == 0 ? new double[0]
                : actual.array().castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
        assertEquals(data.size(), got.length, what + ": numel");
        for (int i = 0; i < got.length; i++) {
            assertEquals(data.get(i).asDouble(), got[i], 0.0, what + ": element " + i);
        }
    }
}
