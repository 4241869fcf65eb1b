package dev.nn4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.nn4j.io.IoTestSupport.concat;
import static dev.nn4j.io.IoTestSupport.f32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What nn4j writes, checked by a minimal reader written here straight from the safetensors spec (and sharing no
 * code with nn4j's reader), and against exact expected bytes.
 */
class SpecReaderTest {
    @TempDir
    Path dir;

    /** A file as the spec describes it: header length, JSON header (entries in header order), data buffer. */
    record SpecFile(long headerLength, JsonNode header, byte[] data) {
        /** Decodes F32 entry {@code name}: little-endian, row-major. */
        float[] f32(String name) {
            JsonNode e = header.get(name);
            assertEquals("F32", e.get("dtype").asText(), name + ": dtype");
            int begin = e.get("data_offsets").get(0).asInt();
            int end = e.get("data_offsets").get(1).asInt();
            ByteBuffer b = ByteBuffer.wrap(data, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[(end - begin) / 4];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.getFloat();
            }
            return out;
        }

        List<String> tensorNames() {
            List<String> names = new ArrayList<>();
            header.fieldNames().forEachRemaining(n -> {
                if (!n.equals("__metadata__")) {
                    names.add(n);
                }
            });
            return names;
        }
    }

    /** Parses and checks {@code file} per the spec, as strictly as nn4j promises to write. */
    static SpecFile readSpec(byte[] file) throws IOException {
        assertTrue(file.length >= 8, "at least the 8-byte length");
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertTrue(n >= 2 && 8 + n <= file.length, "header length " + n + " within the file");
        assertEquals(0, (8 + n) % 8, "the data buffer starts at a multiple of 8");
        String text = new String(file, 8, (int) n, StandardCharsets.UTF_8);
        int close = text.lastIndexOf('}');
        assertEquals('{', text.charAt(0), "the header starts with '{'");
        for (int i = close + 1; i < text.length(); i++) {
            assertEquals(' ', text.charAt(i), "padding after the JSON is spaces");
        }
        assertTrue(text.length() - close - 1 < 8, "at most 7 bytes of padding");
        JsonNode header = new ObjectMapper().readTree(text.substring(0, close + 1));
        byte[] data = new byte[(int) (file.length - 8 - n)];
        System.arraycopy(file, (int) (8 + n), data, 0, data.length);
        long at = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> assertTrue(m.getValue().isTextual(), "metadata strings"));
                continue;
            }
            JsonNode offsets = e.getValue().get("data_offsets");
            assertEquals(at, offsets.get(0).asLong(), e.getKey() + " starts where the previous tensor ended");
            long numel = 1;
            for (JsonNode d : e.getValue().get("shape")) {
                numel *= d.asLong();
            }
            int size = switch (e.getValue().get("dtype").asText()) {
                case "F64", "I64", "U64" -> 8;
                case "F32", "I32", "U32" -> 4;
                case "F16", "BF16", "I16", "U16" -> 2;
                default -> 1;
            };
            assertEquals(numel * size, offsets.get(1).asLong() - at, e.getKey() + " byte length");
            at = offsets.get(1).asLong();
        }
        assertEquals(data.length, at, "the tensors cover the whole data buffer");
        return new SpecFile(n, header, data);
    }

    @Test
    void mapWithMetadataIsWrittenExactlyAsSpecified() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("b", Tensor.of(new float[] {0.5f, -1f}, 2));
        Path p = dir.resolve("wb.safetensors");
        Checkpoint.save(m, p, Map.of("format", "pt"));

        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}}";
        assertEquals(143, json.length());
        byte[] expected = concat(le64(144), (json + " ").getBytes(StandardCharsets.US_ASCII),
                f32(1, 2, 3, 4, 5, 6), f32(0.5f, -1f));
        byte[] written = Files.readAllBytes(p);
        assertArrayEquals(expected, written);

        SpecFile f = readSpec(written);
        assertEquals(List.of("w", "b"), f.tensorNames());
        assertEquals("pt", f.header().get("__metadata__").get("format").asText());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.f32("w"));
        assertArrayEquals(new float[] {0.5f, -1f}, f.f32("b"));
    }

    @Test
    void singleTensorAndListLayouts() throws IOException {
        Path p = dir.resolve("t.safetensors");
        Checkpoint.save(Tensor.of(new float[] {7}, new long[0]), p);
        String json = "{\"__metadata__\":{\"nn4j.kind\":\"tensor\"},"
                + "\"tensor\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}";
        assertArrayEquals(IoTestSupport.frame(json, f32(7)), Files.readAllBytes(p));

        Checkpoint.save(List.of(Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {3}, 1)), p);
        json = "{\"__metadata__\":{\"nn4j.kind\":\"list\"},"
                + "\"0\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"1\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        byte[] written = Files.readAllBytes(p);
        assertArrayEquals(IoTestSupport.frame(json, f32(1, 2, 3)), written);
        assertArrayEquals(new float[] {3}, readSpec(written).f32("1"));
    }

    @Test
    void paddingMatchesTheLibrarysOwnExamples() throws IOException {
        // the serializations the safetensors library's tests pin down: 64 bytes unpadded, 72 with 7 spaces
        Path p = dir.resolve("attn.safetensors");
        float[] six = {0, 1, 2, 3, 4, 5};
        Checkpoint.save(Map.of("attn.0", Tensor.of(six, 1, 2, 3)), p);
        byte[] written = Files.readAllBytes(p);
        assertEquals(64, readSpec(written).headerLength());
        assertArrayEquals(concat(le64(64),
                "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}".getBytes(
                        StandardCharsets.US_ASCII), f32(six)), written);

        Checkpoint.save(Map.of("attn0", Tensor.of(six, 1, 1, 2, 3)), p);
        written = Files.readAllBytes(p);
        assertEquals(72, readSpec(written).headerLength());
        assertArrayEquals(concat(le64(72),
                "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ".getBytes(
                        StandardCharsets.US_ASCII), f32(six)), written);

        Checkpoint.save(Map.of(), p);
        assertArrayEquals(concat(le64(8), "{}      ".getBytes(StandardCharsets.US_ASCII)), Files.readAllBytes(p));
    }

    @Test
    void stateDictDecodesToTheModelsValuesInHeaderOrder() throws IOException {
        Rng.manualSeed(3);
        Sequential net = new Sequential(new Linear(20, 256), new ReLU(), new Linear(256, 10));
        Path p = dir.resolve("mlp.safetensors");
        Checkpoint.save(net.stateDict(), p);
        SpecFile f = readSpec(Files.readAllBytes(p));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), f.tensorNames());
        net.stateDict().forEach((k, v) ->
                assertArrayEquals(v.array().dup('c').reshape(-1).toFloatVector(), f.f32(k), k));
    }

    @Test
    void namesAreEscapedAsSerdeJsonDoes() throws IOException {
        String name = "a\"b\\c\nd\te\u0001f\u00e9/\u4e2d";
        Path p = dir.resolve("names.safetensors");
        Checkpoint.save(Map.of(name, Tensor.ones(1)), p);
        byte[] written = Files.readAllBytes(p);
        String header = new String(written, 8, (int) readSpec(written).headerLength(), StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"a\\\"b\\\\c\\nd\\te\\u0001f\u00e9/\u4e2d\":"), header);
        assertEquals(List.of(name), IoTestSupport.keys(Checkpoint.loadMap(p)));
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
