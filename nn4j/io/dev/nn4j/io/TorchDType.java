package dev.nn4j.io;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The element types a PyTorch checkpoint can store, by the names the pickle uses for them: a storage class
 * ({@code torch.FloatStorage}) in persistent ids, a dtype constant ({@code torch.float32}) in metadata.
 */
enum TorchDType {
    FLOAT32("FloatStorage", "float32", 4, DataType.FLOAT),
    FLOAT64("DoubleStorage", "float64", 8, DataType.DOUBLE),
    FLOAT16("HalfStorage", "float16", 2, DataType.HALF),
    BFLOAT16("BFloat16Storage", "bfloat16", 2, DataType.BFLOAT16),
    INT64("LongStorage", "int64", 8, DataType.LONG),
    INT32("IntStorage", "int32", 4, DataType.INT),
    INT16("ShortStorage", "int16", 2, DataType.SHORT),
    INT8("CharStorage", "int8", 1, DataType.BYTE),
    UINT8("ByteStorage", "uint8", 1, DataType.UBYTE),
    BOOL("BoolStorage", "bool", 1, DataType.BOOL);

    final String storageClass;
    final String dtypeName;
    final int elementSize;
    final DataType nd4j;

    TorchDType(String storageClass, String dtypeName, int elementSize, DataType nd4j) {
        this.storageClass = storageClass;
        this.dtypeName = dtypeName;
        this.elementSize = elementSize;
        this.nd4j = nd4j;
    }

    static TorchDType byStorageClass(String name) {
        for (TorchDType t : values()) {
            if (t.storageClass.equals(name)) {
                return t;
            }
        }
        return null;
    }

    static TorchDType byDtypeName(String name) {
        for (TorchDType t : values()) {
            if (t.dtypeName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
