package dev.nn4j.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

/** The staging cache of {@link Scratch}: a staged copy is reused only while it still holds the storage's data. */
class ScratchTest {
    @Test
    void aStagedCopyIsReusedOnlyWhileTheDataIsUnchanged() {
        Scratch sc = Scratch.get();
        Storage s = Storage.ofFloats(new float[] {1, 2, 3}, new long[] {3});
        assertEquals(2f, sc.stage(0, s).get(1));
        // an in-place write through the storage: restaged
        s.addScaled(Storage.ofFloats(new float[] {10, 10, 10}, new long[] {3}), 1);
        assertEquals(12f, sc.stage(0, s).get(1));
        // the slot handed out for writing: restaged
        FloatBuffer w = sc.slot(0, 3);
        w.put(1, 99f);
        assertEquals(12f, sc.stage(0, s).get(1));
        // a consumer overwriting its own fresh input (ReLU's backward): restaged
        Storage g = Storage.freshFloats(new float[] {5, 6, 7}, new long[] {3});
        assertEquals(6f, sc.stage(0, g).get(1));
        Storage y = Storage.ofFloats(new float[] {1, 0, 1}, new long[] {3});
        Elementwise.reluBackward(g, y);
        assertEquals(0f, sc.stage(0, g).get(1));
        // another storage in the same slot: its own data
        Storage t = Storage.ofFloats(new float[] {4, 5, 6}, new long[] {3});
        assertEquals(5f, sc.stage(0, t).get(1));
    }
}
