package dev.nn4j.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates a safetensors header against the size of the data buffer that follows it. Nothing in the
 * header is trusted: every field is type-checked, sizes are computed with overflow checks, and the entries must
 * tile the data buffer exactly (sorted by offset, contiguous from 0 to its end, as the safetensors library checks).
 * Every refusal is a {@link CheckpointException} naming the file and the problem.
 */
final class HeaderParser {
    /** ND4J's (libnd4j's MAX_RANK) limit on dimensions; a deeper shape could not become an array. */
    static final int MAX_RANK = 32;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // never echo (possibly huge or binary) header text into exception messages
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNameLength((int) SafetensorsHeader.MAX_HEADER_SIZE)
                    .maxStringLength((int) SafetensorsHeader.MAX_HEADER_SIZE)
                    .build())
            .build();

    private final String where;

    private HeaderParser(String where) {
        this.where = where;
    }

    /**
     * The header in {@code json}, checked against a data buffer of {@code bufferLength} bytes.
     *
     * @param where the file, for messages
     * @throws CheckpointException naming the first problem found
     */
    static SafetensorsHeader parse(String json, long bufferLength, String where) {
        HeaderParser parser = new HeaderParser(where);
        SafetensorsHeader header = parser.read(json);
        parser.checkLayout(header.entries(), bufferLength);
        return header;
    }

    private SafetensorsHeader read(String json) {
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, String> metadata = Map.of();
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw fail("the header is not a JSON object (it starts with " + describe(t) + ")");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (SafetensorsHeader.METADATA_KEY.equals(name)) {
                    metadata = metadata(p, value);
                } else {
                    entries.add(entry(p, name, value));
                }
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw fail("the header has " + describe(after) + " after its JSON object");
            }
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Duplicate field")) {
                throw fail("the header has a duplicate key: " + msg.substring("Duplicate field ".length()), e);
            }
            if (e instanceof StreamConstraintsException) {
                throw fail("the header exceeds a parser limit: " + msg, e);
            }
            long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw fail("the header is not valid JSON" + (at >= 0 ? " (at character " + at + ")" : "") + ": " + msg, e);
        } catch (IOException e) {
            throw fail("the header cannot be parsed: " + e.getMessage(), e);
        }
        return new SafetensorsHeader(entries, metadata);
    }

    private Map<String, String> metadata(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw fail("\"__metadata__\" must be an object mapping strings to strings, but is " + describe(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw fail("\"__metadata__\" value of \"" + key + "\" must be a string, but is " + describe(v));
            }
            out.put(key, p.getText());
        }
        return out;
    }

    private TensorEntry entry(JsonParser p, String name, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            throw fail("entry \"" + name + "\" must be an object {dtype, shape, data_offsets}, but is "
                    + describe(value));
        }
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype" -> {
                    if (v != JsonToken.VALUE_STRING) {
                        throw fail("tensor \"" + name + "\": \"dtype\" must be a string, but is " + describe(v));
                    }
                    dtype = p.getText();
                }
                case "shape" -> shape = integers(p, v, name, "shape", MAX_RANK);
                case "data_offsets" -> {
                    offsets = integers(p, v, name, "data_offsets", 2);
                    if (offsets.length != 2) {
                        throw fail("tensor \"" + name + "\": \"data_offsets\" must hold exactly 2 integers "
                                + "[begin, end], but holds " + offsets.length);
                    }
                }
                // unknown fields carry no meaning for the layout; the safetensors library ignores them too
                default -> p.skipChildren();
            }
        }
        String missing = dtype == null ? "dtype" : shape == null ? "shape" : offsets == null ? "data_offsets" : null;
        if (missing != null) {
            throw fail("tensor \"" + name + "\" lacks \"" + missing + "\"");
        }
        Dtype type = Dtype.parse(dtype);
        if (type == null) {
            throw fail("tensor \"" + name + "\" has " + (Dtype.isKnownWithoutNd4jType(dtype)
                    ? "dtype \"" + dtype + "\", which ND4J cannot hold"
                    : "unknown dtype \"" + dtype + "\"") + " (readable: " + Arrays.toString(Dtype.values()) + ")");
        }
        return new TensorEntry(name, type, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of at most {@code max} non-negative integers that fit in a long. */
    private long[] integers(JsonParser p, JsonToken value, String name, String field, int max) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw fail("tensor \"" + name + "\": \"" + field + "\" must be an array of integers, but is "
                    + describe(value));
        }
        long[] out = new long[max];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == max) {
                throw fail("tensor \"" + name + "\": \"" + field + "\" has more than " + max + " entries"
                        + (field.equals("shape") ? " (ND4J arrays have at most " + MAX_RANK + " dimensions)" : ""));
            }
            if (t != JsonToken.VALUE_NUMBER_INT) {
                throw fail("tensor \"" + name + "\": \"" + field + "\" must hold non-negative integers, but entry "
                        + n + " is " + describe(t) + (t == JsonToken.VALUE_NUMBER_FLOAT ? " " + p.getText() : ""));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw fail("tensor \"" + name + "\": \"" + field + "\" entry " + n + " (" + p.getText()
                        + ") is too large");
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw fail("tensor \"" + name + "\": \"" + field + "\" entry " + n + " is negative (" + v + ")");
            }
            out[n++] = v;
        }
        return Arrays.copyOf(out, n);
    }

    /** Sizes match shapes, and the entries tile the data buffer with no gap, overlap or leftover. */
    private void checkLayout(List<TensorEntry> entries, long bufferLength) {
        for (TensorEntry e : entries) {
            String offsets = "data_offsets [" + e.begin() + ", " + e.end() + "]";
            if (e.begin() > e.end()) {
                throw fail("tensor \"" + e.name() + "\": " + offsets + " end before they begin");
            }
            if (e.end() > bufferLength) {
                throw fail("tensor \"" + e.name() + "\": " + offsets + " reach beyond the data buffer, which holds "
                        + bufferLength + " bytes (truncated file?)");
            }
            long need = byteSize(e);
            if (need != e.byteLength()) {
                throw fail("tensor \"" + e.name() + "\": shape " + e.shapeText() + " of " + e.dtype() + " needs "
                        + need + " bytes, but " + offsets + " span " + e.byteLength());
            }
        }
        List<TensorEntry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long at = 0;
        TensorEntry previous = null;
        for (TensorEntry e : byOffset) {
            if (e.begin() > at) {
                throw fail("bytes [" + at + ", " + e.begin() + ") of the data buffer belong to no tensor (a gap "
                        + "before tensor \"" + e.name() + "\")");
            }
            if (e.begin() < at) {
                throw fail("tensor \"" + e.name() + "\" (data_offsets [" + e.begin() + ", " + e.end()
                        + "]) overlaps tensor \"" + previous.name() + "\" (data_offsets [" + previous.begin() + ", "
                        + previous.end() + "])");
            }
            at = e.end();
            previous = e;
        }
        if (at != bufferLength) {
            throw fail("bytes [" + at + ", " + bufferLength + ") at the end of the data buffer belong to no tensor "
                    + "(" + (bufferLength - at) + " bytes of trailing data)");
        }
    }

    /** numel * element size, refusing shapes whose sizes overflow (even when a zero dimension makes numel 0). */
    private long byteSize(TensorEntry e) {
        try {
            long nonZero = 1;
            boolean empty = false;
            for (long d : e.shape()) {
                if (d == 0) {
                    empty = true;
                } else {
                    // strides are products of the other dimensions: they must fit too, or ND4J's would wrap
                    nonZero = Math.multiplyExact(nonZero, d);
                }
            }
            return empty ? 0 : Math.multiplyExact(nonZero, e.dtype().size);
        } catch (ArithmeticException overflow) {
            throw fail("tensor \"" + e.name() + "\": shape " + e.shapeText() + " of " + e.dtype()
                    + " overflows 64-bit sizes");
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the header";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a non-integer number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private CheckpointException fail(String problem) {
        return new CheckpointException(where + ": " + problem);
    }

    private CheckpointException fail(String problem, Throwable cause) {
        return new CheckpointException(where + ": " + problem, cause);
    }
}
