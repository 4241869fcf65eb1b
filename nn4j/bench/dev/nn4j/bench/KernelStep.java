package dev.nn4j.bench;

import dev.nn4j.core.kernel.Blas;
import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Reductions;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.nn.Linear;
import dev.nn4j.nn.Parameter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import java.util.ArrayList;
import java.util.List;

/**
 * The step written by hand on nn4j's own kernels, calling exactly the kernels nn4j's step calls (gemm into the
 * parameters' kept gradient buffers, out-of-place ReLU, mse_loss's difference, sum of squares and scale, axpy), with
 * no tape, no modules, no optimizer objects: the yardstick for the cost of the autograd itself.
 */
final class KernelStep {
    final Nn4jStep model;
    final List<Parameter> w = new ArrayList<>();
    final List<Parameter> b = new ArrayList<>();
    /** Gradient buffers, allocated once and written in place, as nn4j's engine does. */
    final List<Storage> gw = new ArrayList<>();
    final List<Storage> gb = new ArrayList<>();

    KernelStep(Sizes s) {
        model = new Nn4jStep(s);
        model.net.modules().forEach(m -> {
            if (m instanceof Linear l) {
                w.add(l.weight());
                b.add(l.bias());
                gw.add(Storage.of(Nd4j.create(DataType.FLOAT, l.weight().shape())));
                gb.add(Storage.of(Nd4j.create(DataType.FLOAT, l.bias().shape())));
            }
        });
    }

    double train() {
        int layers = w.size();
        List<Storage> acts = new ArrayList<>();
        Storage h = model.x.storage();
        acts.add(h);
        for (int i = 0; i < layers; i++) {
            long[] ws = w.get(i).shape();
            int rows = h.size() / (int) ws[1];
            Storage z = Blas.gemmInto(h, w.get(i).storage(), false, true, rows, (int) ws[0], (int) ws[1],
                    b.get(i).storage());
            if (i + 1 < layers) {
                z = Elementwise.relu(z); // out of place, as nn4j's ReLU (and PyTorch's nn.ReLU())
            }
            h = z;
            acts.add(h);
        }
        // mse_loss's kernels: the difference (kept for the backward), the sum of its squares, the scaled gradient
        Storage diff = Elementwise.binary(Elementwise.BinaryOp.SUB, h, model.y.storage(), h.shape(), h.type());
        double loss = Reductions.sumOfSquares(diff) / diff.size();
        Storage grad = Elementwise.scale(diff, 2.0 / diff.size());
        for (int i = layers - 1; i >= 0; i--) {
            Storage in = acts.get(i);
            long[] ws = w.get(i).shape();
            int rows = in.size() / (int) ws[1];
            Blas.gemmTo(grad, in, true, false, (int) ws[0], (int) ws[1], rows, gw.get(i), false);
            Reductions.sumRowsTo(grad, rows, (int) ws[0], gb.get(i), false);
            if (i > 0) {
                Storage gx = Blas.gemmInto(grad, w.get(i).storage(), false, false, rows, (int) ws[1], (int) ws[0],
                        null);
                grad = Elementwise.reluBackward(gx, in); // in place, as in nn4j's engine
            }
        }
        for (int i = 0; i < layers; i++) { // after the whole backward, as optimizer.step()
            Blas.axpy((float) -Sizes.LR, gw.get(i), w.get(i).storage());
            Blas.axpy((float) -Sizes.LR, gb.get(i), b.get(i).storage());
        }
        return loss;
    }
}
