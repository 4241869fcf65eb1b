package dev.nn4j.io;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The safetensors element types that have an ND4J counterpart. Constant names are the strings written in the
 * header's {@code "dtype"} field; every type is stored little-endian with {@link #size} bytes per element.
 */
enum Dtype {
    BOOL(DataType.BOOL, 1),
    U8(DataType.UBYTE, 1),
    I8(DataType.BYTE, 1),
    I16(DataType.SHORT, 2),
    U16(DataType.UINT16, 2),
    F16(DataType.HALF, 2),
    BF16(DataType.BFLOAT16, 2),
    I32(DataType.INT, 4),
    U32(DataType.UINT32, 4),
    F32(DataType.FLOAT, 4),
    F64(DataType.DOUBLE, 8),
    I64(DataType.LONG, 8),
    U64(DataType.UINT64, 8);

    /** Types the safetensors library knows but ND4J cannot hold; named apart so the message says "unsupported". */
    private static final Set<String> WITHOUT_ND4J_TYPE =
            Set.of("F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "C64");

    final DataType nd4j;
    final int size;

    Dtype(DataType nd4j, int size) {
        this.nd4j = nd4j;
        this.size = size;
    }

    /** The type written as {@code name} in a header, or null when nn4j cannot read it. */
    static Dtype parse(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** Whether {@code name} is a safetensors type that ND4J has no array type for. */
    static boolean isKnownWithoutNd4jType(String name) {
        return WITHOUT_ND4J_TYPE.contains(name);
    }

    /**
     * The safetensors type of an ND4J array type.
     *
     * @throws IllegalArgumentException for ND4J types with no safetensors counterpart (UTF8, COMPRESSED, UNKNOWN)
     */
    static Dtype of(DataType type, String key) {
        for (Dtype d : values()) {
            if (d.nd4j == type) {
                return d;
            }
        }
        throw new IllegalArgumentException("Checkpoint.save: tensor \"" + key + "\" has dtype " + type
                + ", which safetensors cannot store (supported: "
                + Arrays.stream(values()).map(d -> d.nd4j.name()).collect(Collectors.joining(", ")) + ")");
    }
}
