/**
 * Checkpoints: tensors, lists of tensors and state dicts saved as safetensors files.
 *
 * <p>PyTorch: {@code torch.save} / {@code torch.load}, with the file format of the {@code safetensors} library
 * ({@code safetensors.torch.save_file} / {@code load_file}), byte for byte:
 * <ol>
 *   <li>8 bytes: {@code N}, the header length, an unsigned 64-bit little-endian integer;</li>
 *   <li>{@code N} bytes: a UTF-8 JSON object {@code {"__metadata__": {str: str}, "name": {"dtype": "F32",
 *       "shape": [2, 3], "data_offsets": [begin, end]}, ...}}, padded with spaces so that {@code 8 + N} is a
 *       multiple of 8;</li>
 *   <li>the data buffer: each tensor's elements little-endian, row-major, contiguous; offsets are relative to the
 *       buffer's start, and the tensors tile it exactly (an empty tensor has {@code begin == end}).</li>
 * </ol>
 * nn4j writes {@code __metadata__} first and the tensors in the caller's order (the library sorts them by dtype
 * and name; readers sort by offset, so either order loads everywhere). dtypes: F32, F64, F16, BF16, I64, I32, I16,
 * I8, U8, U16, U32, U64, BOOL (ND4J FLOAT, DOUBLE, HALF, BFLOAT16, LONG, INT, SHORT, BYTE, UBYTE, UINT16, UINT32,
 * UINT64, BOOL). Limits: headers of at most 100,000,000 bytes (the library's {@code MAX_HEADER_SIZE}), at most 32
 * dimensions (ND4J's), and at most 2 GiB per tensor.
 *
 * <p>Single tensors are stored under the key {@code "tensor"} and lists under {@code "0"}, {@code "1"}, ...; both
 * record their kind in {@code __metadata__} as {@code "nn4j.kind"} so that loading one as the other is refused
 * with a clear message. Maps are stored as they are, with no added metadata.
 *
 * @see dev.nn4j.io.Checkpoint
 */
package dev.nn4j.io;
