package dev.nn4j.io;

import dev.nn4j.core.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A save that fails part-way leaves the previous file exactly as it was, and no temporary file behind. */
class AtomicWriteTest {
    @TempDir
    Path dir;

    /** A tensor whose data cannot be read: the stand-in for a crash in the middle of writing a checkpoint. */
    static final class CrashingTensor extends Tensor {
        final List<Path> seenDuringWrite = new ArrayList<>();
        private final Path dir;

        CrashingTensor(Tensor data, Path dir) {
            super(data, false);
            this.dir = dir;
        }

        @Override
        public INDArray array() {
            try (Stream<Path> s = Files.list(dir)) {
                s.forEach(seenDuringWrite::add);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("simulated crash while reading tensor data");
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aCrashMidWriteLeavesTheOldFileIntact() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Checkpoint.save(Map.of("w", Tensor.ones(3)), p);
        byte[] before = Files.readAllBytes(p);

        CrashingTensor crash = new CrashingTensor(Tensor.zeros(64), dir);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("big", Tensor.rand(1000));
        m.put("crash", crash);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Checkpoint.save(m, p));
        assertTrue(e.getMessage().contains("simulated crash"), e.getMessage());

        // the crash really happened mid-write: a temporary file next to the target already held the header and data
        Path tmp = crash.seenDuringWrite.stream().filter(x -> !x.equals(p)).findFirst().orElseThrow();
        assertTrue(tmp.getFileName().toString().startsWith(".model.safetensors.")
                && tmp.getFileName().toString().endsWith(".tmp"), tmp.toString());
        assertArrayEquals(before, Files.readAllBytes(p), "the old checkpoint is untouched");
        assertEquals(List.of("model.safetensors"), listing(), "the temporary file is gone");
        assertEquals(List.of("w"), IoTestSupport.keys(Checkpoint.loadMap(p)));
    }

    @Test
    void aCrashWithNoOldFileLeavesNothing() throws IOException {
        Path p = dir.resolve("new.safetensors");
        assertThrows(IllegalStateException.class,
                () -> Checkpoint.save(List.of(Tensor.ones(4), new CrashingTensor(Tensor.ones(2), dir)), p));
        assertEquals(List.of(), listing());
    }

    @Test
    void anIoFailureIsACheckpointExceptionAndCleansUp() throws IOException {
        Path p = dir.resolve("x.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        CheckpointException e = assertThrows(CheckpointException.class, () -> AtomicFile.write(p, out -> {
            out.write(ByteBuffer.wrap(new byte[100]));
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("cannot write checkpoint " + p)
                && e.getMessage().contains("No space left on device"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
        assertEquals(List.of("x.safetensors"), listing());
    }

    @Test
    void aSuccessfulSaveReplacesTheWholeFile() throws IOException {
        Path p = dir.resolve("m.safetensors");
        Checkpoint.save(Map.of("big", Tensor.rand(10_000)), p);
        Checkpoint.save(Map.of("small", Tensor.ones(1)), p);
        assertEquals(List.of("small"), IoTestSupport.keys(Checkpoint.loadMap(p)));
        assertEquals(List.of("m.safetensors"), listing());
    }

    @Test
    void unwritableTargetsAreRefused() throws IOException {
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> Checkpoint.save(Tensor.ones(1), dir.resolve("no/such/dir/x.safetensors")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        Path sub = Files.createDirectory(dir.resolve("sub"));
        e = assertThrows(CheckpointException.class, () -> Checkpoint.save(Tensor.ones(1), sub));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        assertTrue(Files.isDirectory(sub));
        try (Stream<Path> inside = Files.list(sub)) {
            assertFalse(inside.findAny().isPresent(), "the directory was not replaced or written into");
        }
    }
}
