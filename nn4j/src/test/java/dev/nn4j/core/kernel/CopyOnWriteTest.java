package dev.nn4j.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nn4j.core.Tensor;
import org.junit.jupiter.api.Test;

/** A reshape shares its input's array copy-on-write: no write to either ever reaches the other. */
class CopyOnWriteTest {
    @Test
    void writesToEitherSideStayOnThatSide() {
        Storage a = Storage.ofFloats(new float[] {1, 2, 3, 4}, new long[] {4});
        Storage b = a.reshapeShared(new long[] {2, 2});
        assertEquals(a.floats(), b.floats(), "shared until a write");
        b.put(1, 20);
        assertEquals(2f, a.floats()[1]);
        assertEquals(20f, b.floats()[1]);
        a.fill(7);
        assertArrayEquals(new float[] {1, 20, 3, 4}, b.floats());
        // a third holder, and a write through the heap array a kernel takes to write in place
        Storage c = b.reshapeShared(new long[] {4});
        ((float[]) c.heapArray())[0] = -1;
        assertEquals(1f, b.floats()[0]);
        assertEquals(-1f, c.floats()[0]);
    }

    @Test
    void tensorsBehaveAsCopies() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = x.reshape(3, 2);
        y.addi(Tensor.ones(3, 2).to(y.dtype()));
        assertEquals(1.0, x.get(0, 0).item());
        assertEquals(2.0, y.get(0, 0).item());
        x.muli(Tensor.full(10.0, 2, 3).to(x.dtype()));
        assertEquals(2.0, y.get(0, 0).item());
        assertEquals(60.0, x.get(1, 2).item());
    }
}
