package dev.nn4j.device;

import dev.nn4j.core.Tensor;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.LazyLinear;
import dev.nn4j.nn.Parameter;
import dev.nn4j.nn.ReLU;
import dev.nn4j.nn.Sequential;
import dev.nn4j.testing.SimulatedDevices;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device rules, on the real backend (CPU here) and on a simulated two-GPU backend. */
class DevicesTest {
    @Test
    void namesParseAndPrintAsInPyTorch() {
        assertEquals("cpu", Device.CPU.toString());
        assertEquals("cuda:0", Device.cuda().toString());
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertSame(Device.CPU, Device.parse("cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu0"));
        assertTrue(e.getMessage().contains("'cpu', 'cuda', 'cuda:N'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
    }

    @Test
    void withoutAGpuEverythingFallsBackToCpu() {
        // the default build runs nd4j-native: no CUDA device
        assertEquals(0, Devices.cudaCount());
        assertEquals(Device.CPU, Devices.tryGpu());
        assertEquals(Device.CPU, Devices.tryGpu(10));
        assertEquals(List.of(Device.CPU), Devices.tryAllGpus());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.ones(2).to(Device.cuda(0)));
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("[cpu]")
                && e.getMessage().contains("-Pcuda") && e.getMessage().contains("nd4j-cuda-11.6"), e.getMessage());
    }

    @Test
    void simulatedGpusAreCountedAndChosen() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(2)) {
            assertEquals(2, Devices.cudaCount());
            assertEquals(Device.cuda(1), Devices.tryGpu(1));
            assertEquals(Device.CPU, Devices.tryGpu(10));
            assertEquals(List.of(Device.cuda(0), Device.cuda(1)), Devices.tryAllGpus());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.ones(Device.cuda(2), 2));
            assertTrue(e.getMessage().contains("cuda:2") && e.getMessage().contains("cuda:1"), e.getMessage());
        }
    }

    @Test
    void toIsTheIdentityOnTheSameDeviceAndAnIndependentCopyElsewhere() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(2)) {
            Tensor x = Tensor.ones(2, 2);
            assertSame(x, x.to(Device.CPU));
            assertSame(x, x.cpu());
            Tensor g = x.cuda(1);
            assertEquals(Device.cuda(1), g.device());
            assertSame(g, g.to(Device.cuda(1)));
            g.addi(1);
            assertArrayEquals(new double[] {1, 1, 1, 1}, x.array().reshape(-1).toDoubleVector(), 0, "copies are independent");
            Tensor back = g.cpu();
            assertEquals(Device.CPU, back.device());
            assertArrayEquals(new double[] {2, 2, 2, 2}, back.array().reshape(-1).toDoubleVector(), 0);
            assertEquals("tensor([[2., 2.],\n        [2., 2.]], device='cuda:1')", g.toString());
            assertEquals(Device.cuda(0), Tensor.zeros(Device.cuda(0), 3).device());
            Tensor leaf = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor moved = leaf.cuda(0);
            assertTrue(moved.requiresGrad() && !moved.isLeaf(), "the move is recorded, as in PyTorch");
            assertEquals("ToCopyBackward", moved.gradFn().name());
            moved.mul(moved).sum().backward();
            assertEquals(Device.CPU, leaf.grad().device(), "the gradient comes back to the source device");
            assertArrayEquals(new double[] {2, 4}, leaf.grad().array().toDoubleVector(), 0);
        }
    }

    @Test
    void opsOnTwoDevicesFailNamingBoth() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(2)) {
            Tensor a = Tensor.ones(Device.cuda(0), 2);
            Tensor b = Tensor.ones(2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
            assertEquals("Expected all tensors to be on the same device, but found cuda:0 and cpu (in add)",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.matmul(Tensor.ones(Device.cuda(1), 2, 2)));
            assertTrue(e.getMessage().contains("cpu and cuda:1 (in matmul)"), e.getMessage());
            Sequential net = new Sequential(new Linear(2, 3));
            net.to(Device.cuda(1));
            e = assertThrows(IllegalArgumentException.class, () -> net.call(Tensor.ones(1, 2)));
            assertTrue(e.getMessage().contains("at \"0\"") && e.getMessage().contains("cpu and cuda:1"),
                    e.getMessage());
        }
    }

    @Test
    void moduleMovesInPlaceKeepingParametersGradsAndTying() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(2)) {
            Linear shared = new Linear(3, 3);
            Sequential net = new Sequential(new Linear(2, 3), new ReLU(), shared, shared);
            net.call(Tensor.ones(1, 2)).sum().backward();
            Parameter w = shared.weight();
            double[] grad = w.grad().array().dup().reshape(-1).toDoubleVector();
            List<Parameter> params = net.parameters();
            assertSame(net, net.to(Device.cuda(1)));
            assertEquals(params, net.parameters());
            assertSame(w, ((Linear) net.get(3)).weight(), "tying survives the move");
            assertEquals(Device.cuda(1), w.device());
            assertEquals(Device.cuda(1), w.grad().device());
            assertArrayEquals(grad, w.grad().array().reshape(-1).toDoubleVector(), 0);
            Tensor y = net.call(Tensor.ones(Device.cuda(1), 1, 2));
            assertEquals(Device.cuda(1), y.device());
            net.to(Device.CPU);
            assertEquals(Device.CPU, w.device());
        }
    }

    @Test
    void lazyModuleMaterializesOnItsDevice() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(1)) {
            Sequential net = new Sequential(new LazyLinear(4), new ReLU());
            net.to(Device.cuda(0));
            Tensor y = net.call(Tensor.ones(Device.cuda(0), 2, 5));
            assertEquals(Device.cuda(0), y.device());
            assertEquals(Device.cuda(0), ((Linear) net.get(0)).weight().device());
        }
    }

    @Test
    void opsOnAGpuBindTheCallingThreadToIt() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(2)) {
            Tensor a = Tensor.ones(Device.cuda(1), 2);
            a.mul(a);
            assertEquals(Device.cuda(1), s.backend.bound.get(Thread.currentThread()));
            Tensor.ones(Device.cuda(0), 2).add(1);
            assertEquals(Device.cuda(0), s.backend.bound.get(Thread.currentThread()));
        }
    }

    @Test
    void copiesGoThroughTheBackend() {
        try (SimulatedDevices.Scope s = SimulatedDevices.install(1)) {
            Tensor x = Tensor.ones(2);
            int before = s.backend.copies.get();
            Tensor g = x.cuda();
            assertNotSame(x.array(), g.array());
            assertEquals(before + 1, s.backend.copies.get());
            g.cuda();
            assertEquals(before + 1, s.backend.copies.get(), "no copy when already there");
        }
    }
}
