package dev.nn4j.core.kernel;

import dev.nn4j.core.Tensor;
import java.nio.ReadOnlyBufferException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The storage rules that code outside the kernels cannot break: read-only access, no aliasing of user data. */
class StorageRulesTest {
    @Test
    void readAccessCannotWrite() {
        Storage s = Tensor.of(new float[] {1, 2, 3}, 3).storage();
        assertThrows(ReadOnlyBufferException.class, () -> s.readFloats().put(0, 9f));
        assertThrows(ReadOnlyBufferException.class, () -> s.readDoubles().put(0, 9.0));
        double[] copy = s.toDoubleArray();
        copy[0] = 9;
        assertArrayEquals(new float[] {1, 2, 3}, StorageAccess.floats(s));
        float[] mine = {4, 5};
        Storage c = Storage.copyOf(mine, new long[] {2});
        mine[0] = 0;
        assertEquals(4.0, c.getDouble(0), "the public factories copy");
    }

    @Test
    void aViewAliasesOnlyWhatNoTensorHolds() {
        Storage fresh = Storage.ofFloats(new float[] {1, 2, 3, 4}, new long[] {4});
        Storage view = fresh.viewAs(new long[] {2, 2});
        assertSame(StorageAccess.floats(fresh), StorageAccess.floats(view), "unheld: a view, no copy");

        Tensor user = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Storage held = user.storage();
        Storage other = held.viewAs(new long[] {2, 2});
        assertNotSame(StorageAccess.floats(held), StorageAccess.floats(other), "held by a tensor: a copy");
        user.addi(1);
        assertEquals(1.0, other.getDouble(0), "a write through the tensor does not reach the reshaped value");
    }

    @Test
    void theVersionCountsEveryWriteFromEveryThread() throws Exception {
        Storage s = Storage.direct(org.nd4j.linalg.api.buffer.DataType.FLOAT, new long[] {4});
        int rounds = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    s.bumpVersion();
                }
            });
            Future<?> b = pool.submit(() -> {
                for (int i = 0; i < rounds; i++) {
                    s.fill(i);
                }
            });
            a.get();
            b.get();
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2 * rounds, s.version());
    }
}
