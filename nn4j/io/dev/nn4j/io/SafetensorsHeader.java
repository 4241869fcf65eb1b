package dev.nn4j.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors header: the tensor entries in header order and the free-form {@code __metadata__} strings.
 *
 * <p>{@link #encode} writes it the way the safetensors library (serde_json) does, so that a file nn4j writes is
 * byte-identical to the library's for the same entries in the same order: compact JSON, {@code __metadata__}
 * first, each entry's fields in the order dtype, shape, data_offsets, then spaces up to a multiple of 8 bytes.
 */
record SafetensorsHeader(List<TensorEntry> entries, Map<String, String> metadata) {
    /** The reserved header key of the string-to-string metadata map. */
    static final String METADATA_KEY = "__metadata__";

    /**
     * The limit the safetensors library enforces on the JSON header (its {@code MAX_HEADER_SIZE}); readers refuse
     * larger headers, so writing one would produce a file nobody can load.
     */
    static final long MAX_HEADER_SIZE = 100_000_000L;

    SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * The header bytes as stored after the 8-byte length field: UTF-8 JSON padded with spaces so that the data
     * buffer starts at a multiple of 8, where every element type is aligned.
     *
     * @throws IllegalArgumentException when a name is not valid Unicode, or the header exceeds {@link #MAX_HEADER_SIZE}
     */
    byte[] encode() {
        StringBuilder json = new StringBuilder(64 + 96 * entries.size()).append('{');
        if (!metadata.isEmpty()) {
            appendString(json, METADATA_KEY).append(":{");
            String sep = "";
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                appendString(json.append(sep), m.getKey()).append(':');
                appendString(json, m.getValue());
                sep = ",";
            }
            json.append('}');
        }
        String sep = metadata.isEmpty() ? "" : ",";
        for (TensorEntry e : entries) {
            appendString(json.append(sep), e.name()).append(":{\"dtype\":\"").append(e.dtype().name())
                    .append("\",\"shape\":").append(e.shapeText())
                    .append(",\"data_offsets\":[").append(e.begin()).append(',').append(e.end()).append("]}");
            sep = ",";
        }
        json.append('}');
        byte[] utf8 = utf8(json);
        int padded = (utf8.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("the safetensors header would be " + padded + " bytes, over the "
                    + MAX_HEADER_SIZE + "-byte limit that readers enforce; use fewer or shorter names");
        }
        byte[] out = new byte[padded];
        System.arraycopy(utf8, 0, out, 0, utf8.length);
        for (int i = utf8.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    /** Appends {@code s} as a JSON string escaped exactly as serde_json does (short escapes, else lowercase \\u00xx). */
    private static StringBuilder appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    private static byte[] utf8(CharSequence text) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            // Java strings may hold lone surrogates, which have no UTF-8 form
            throw new IllegalArgumentException("a tensor name or metadata string is not valid Unicode "
                    + "(it contains an unpaired surrogate), so it cannot be written as UTF-8 JSON", e);
        }
    }
}
