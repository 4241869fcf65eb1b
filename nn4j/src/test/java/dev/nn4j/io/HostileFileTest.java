package dev.nn4j.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.nn4j.io.IoTestSupport.f32;
import static dev.nn4j.io.IoTestSupport.frame;
import static dev.nn4j.io.IoTestSupport.raw;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Damaged and hostile files: each is refused with a CheckpointException whose message names the problem. */
class HostileFileTest {
    @TempDir
    Path dir;

    private static final byte[] SIX_FLOATS = f32(1, 2, 3, 4, 5, 6);

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    static Arguments hostile(String what, byte[] file, String fragment) {
        return Arguments.of(what, file, fragment);
    }

    static Arguments json(String what, String header, byte[] data, String fragment) {
        return hostile(what, frame(header, data), fragment);
    }

    static Stream<Arguments> cases() {
        byte[] ok = frame("{" + entry("w", "F32", "[2,3]", 0, 24) + "}", SIX_FLOATS);
        List<Arguments> c = new ArrayList<>();
        // framing
        c.add(hostile("empty file", new byte[0], "too short for the 8-byte header length"));
        c.add(hostile("7 bytes", new byte[7], "too short"));
        c.add(hostile("header longer than the file", raw(1000, "{}".getBytes(StandardCharsets.US_ASCII),
                new byte[0]), "header length 1000 exceeds the 2 bytes that follow"));
        c.add(hostile("header just over the cap", raw(100_000_001, new byte[16], new byte[0]),
                "exceeds the 100000000-byte limit"));
        c.add(hostile("header length with the top bit set", raw(-8, new byte[16], new byte[0]),
                "header length 18446744073709551608 exceeds"));
        c.add(hostile("truncated data", java.util.Arrays.copyOf(ok, ok.length - 1), "reach beyond the data buffer"));
        c.add(hostile("trailing bytes", IoTestSupport.concat(ok, new byte[8]), "8 bytes of trailing data"));
        // header text
        c.add(hostile("invalid UTF-8", raw(8, new byte[] {'{', '"', (byte) 0xc3, 0x28, '"', ':', '1', '}'},
                new byte[0]), "not valid UTF-8"));
        c.add(json("not JSON", "{\"w\": nope}", new byte[0], "not valid JSON"));
        c.add(json("unterminated JSON", "{\"w\":{\"dtype\":\"F32\",", new byte[0], "not valid JSON"));
        c.add(json("a JSON array", "[]", new byte[0], "not a JSON object (it starts with an array)"));
        c.add(json("a JSON string", "\"hi\"", new byte[0], "not a JSON object"));
        c.add(json("two JSON objects", "{} {}", new byte[0], "has an object after its JSON object"));
        c.add(json("NUL padding", "{}\0\0\0\0\0\0", new byte[0], "not valid JSON"));
        c.add(json("duplicate tensor key", "{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8)
                + "}", f32(1, 2), "duplicate key: 'w'"));
        c.add(json("duplicate field in an entry", "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[1],"
                + "\"data_offsets\":[0,4]}}", f32(1), "duplicate key: 'dtype'"));
        c.add(json("duplicate __metadata__", "{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0],
                "duplicate key: '__metadata__'"));
        c.add(json("deeply nested unknown field", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
                + "\"x\":" + "[".repeat(200) + "]".repeat(200) + "}}", f32(1), "exceeds a parser limit: Document nesting depth"));
        // entries
        c.add(json("entry not an object", "{\"w\":[1,2]}", new byte[0], "entry \"w\" must be an object"));
        c.add(json("entry is a number", "{\"w\":5}", new byte[0], "entry \"w\" must be an object"));
        c.add(json("no dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1), "lacks \"dtype\""));
        c.add(json("no shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", f32(1), "lacks \"shape\""));
        c.add(json("no data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", f32(1), "lacks \"data_offsets\""));
        c.add(json("dtype is a number", "{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1),
                "\"dtype\" must be a string, but is an integer"));
        c.add(json("shape is a string", "{\"w\":{\"dtype\":\"F32\",\"shape\":\"[1]\",\"data_offsets\":[0,4]}}",
                f32(1), "\"shape\" must be an array of integers, but is a string"));
        c.add(json("data_offsets is an object", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}",
                f32(1), "\"data_offsets\" must be an array of integers, but is an object"));
        c.add(json("unknown dtype", "{" + entry("w", "F33", "[1]", 0, 4) + "}", f32(1), "unknown dtype \"F33\""));
        c.add(json("dtype ND4J lacks", "{" + entry("w", "F8_E4M3", "[4]", 0, 4) + "}", f32(1),
                "dtype \"F8_E4M3\", which ND4J cannot hold"));
        c.add(json("lower-case dtype", "{" + entry("w", "f32", "[1]", 0, 4) + "}", f32(1), "unknown dtype \"f32\""));
        // shapes
        c.add(json("negative dimension", "{" + entry("w", "F32", "[-1,4]", 0, 4) + "}", f32(1),
                "\"shape\" entry 0 is negative (-1)"));
        c.add(json("fractional dimension", "{" + entry("w", "F32", "[1.5]", 0, 4) + "}", f32(1),
                "must hold non-negative integers, but entry 0 is a non-integer number 1.5"));
        c.add(json("exponent dimension", "{" + entry("w", "F32", "[1e0]", 0, 4) + "}", f32(1),
                "non-integer number"));
        c.add(json("null dimension", "{" + entry("w", "F32", "[null]", 0, 4) + "}", f32(1), "entry 0 is null"));
        c.add(json("dimension beyond 64 bits", "{" + entry("w", "F32", "[99999999999999999999]", 0, 4) + "}",
                f32(1), "\"shape\" entry 0 (99999999999999999999) is too large"));
        c.add(json("shape product overflows", "{" + entry("w", "F32", "[4294967296,4294967296]", 0, 4) + "}",
                f32(1), "overflows 64-bit sizes"));
        c.add(json("overflow hidden behind a zero", "{" + entry("w", "F32", "[0,4294967296,4294967296]", 0, 0)
                + "}", new byte[0], "overflows 64-bit sizes"));
        c.add(json("33 dimensions", "{" + entry("w", "F32", "[" + "1,".repeat(32) + "1]", 0, 4) + "}", f32(1),
                "has more than 32 entries"));
        // offsets
        c.add(json("three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", f32(1),
                "has more than 2 entries"));
        c.add(json("one offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}", f32(1),
                "must hold exactly 2 integers"));
        c.add(json("negative offset", "{" + entry("w", "F32", "[1]", -4, 0) + "}", f32(1),
                "\"data_offsets\" entry 0 is negative (-4)"));
        c.add(json("offsets as strings", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",\"4\"]}}",
                f32(1), "entry 0 is a string"));
        c.add(json("begin after end", "{" + entry("w", "F32", "[0]", 4, 0) + "}", f32(1), "end before they begin"));
        c.add(json("end beyond the buffer", "{" + entry("w", "F32", "[6]", 0, 24) + "}", f32(1, 2),
                "data_offsets [0, 24] reach beyond the data buffer, which holds 8 bytes"));
        c.add(json("size does not match shape", "{" + entry("w", "F32", "[2,3]", 0, 20) + "}", f32(1, 2, 3, 4, 5),
                "shape [2,3] of F32 needs 24 bytes, but data_offsets [0, 20] span 20"));
        c.add(json("overlapping tensors", "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12)
                + "}", f32(1, 2, 3), "tensor \"b\" (data_offsets [4, 12]) overlaps tensor \"a\""));
        c.add(json("same bytes twice", "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8)
                + "}", f32(1, 2), "overlaps"));
        c.add(json("gap between tensors", "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12)
                + "}", f32(1, 2, 3), "bytes [4, 8) of the data buffer belong to no tensor (a gap before tensor \"b\")"));
        c.add(json("gap at the start", "{" + entry("a", "F32", "[1]", 4, 8) + "}", f32(1, 2),
                "bytes [0, 4) of the data buffer belong to no tensor"));
        c.add(json("buffer not covered", "{" + entry("a", "F32", "[1]", 0, 4) + "}", f32(1, 2),
                "bytes [4, 8) at the end of the data buffer belong to no tensor"));
        c.add(json("data but no tensors", "{}", f32(1), "4 bytes of trailing data"));
        // metadata and values
        c.add(json("__metadata__ is a string", "{\"__metadata__\":\"pt\"}", new byte[0],
                "\"__metadata__\" must be an object mapping strings to strings, but is a string"));
        c.add(json("__metadata__ is null", "{\"__metadata__\":null}", new byte[0], "but is null"));
        c.add(json("__metadata__ value is a number", "{\"__metadata__\":{\"epoch\":3}}", new byte[0],
                "\"__metadata__\" value of \"epoch\" must be a string, but is an integer"));
        c.add(json("__metadata__ value is an object", "{\"__metadata__\":{\"a\":{\"b\":\"c\"}}}", new byte[0],
                "value of \"a\" must be a string, but is an object"));
        c.add(json("BOOL byte that is neither 0 nor 1", "{" + entry("m", "BOOL", "[3]", 0, 3) + "}",
                new byte[] {1, 0, 2}, "tensor \"m\" is BOOL but element 2 holds byte 2, not 0 or 1"));
        return c.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedNamingTheProblem(String what, byte[] file, String fragment) throws IOException {
        Path p = dir.resolve("hostile.safetensors");
        Files.write(p, file);
        for (Runnable load : new Runnable[] {() -> Checkpoint.loadMap(p), () -> Checkpoint.loadTensor(p),
                () -> Checkpoint.loadList(p)}) {
            CheckpointException e = assertThrows(CheckpointException.class, load::run, what);
            assertTrue(e.getMessage().contains(fragment), what + ": message was: " + e.getMessage());
            assertTrue(e.getMessage().contains(p.toString()), what + ": the message names the file");
        }
    }

    @Test
    void aValidFileBuiltTheSameWayLoads() throws IOException {
        // the hand-framing above is itself correct: the same construction with sound values is accepted
        Path p = dir.resolve("ok.safetensors");
        Files.write(p, frame("{\"__metadata__\":{\"k\":\"v\"}," + entry("w", "F32", "[2,3]", 0, 24) + ","
                + entry("e", "F32", "[0,4]", 24, 24) + "," + entry("m", "BOOL", "[2]", 24, 26)
                + ",\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[28,32],\"extra\":[[1]]},"
                + entry("h", "F16", "[1]", 26, 28) + "}", IoTestSupport.concat(SIX_FLOATS, new byte[] {1, 0, 0, 0x3c},
                f32(9))));
        var m = Checkpoint.loadMap(p);
        assertTrue(m.keySet().containsAll(List.of("w", "e", "m", "x", "h")));
    }

    @Test
    void missingFilesDirectoriesAndDevicesAreRefused() {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.loadMap(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Checkpoint.loadMap(dir));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            e = assertThrows(CheckpointException.class, () -> Checkpoint.loadMap(zero));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }
}
