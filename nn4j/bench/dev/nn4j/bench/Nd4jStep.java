package dev.nn4j.bench;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The same step written by hand on ND4J's public API, the way a careful ND4J user would: preallocated weights,
 * {@code Nd4j.gemm} with transpose flags, ND4J's elementwise ops (each returning a new array).
 */
final class Nd4jStep {
    final List<INDArray> w = new ArrayList<>();
    final List<INDArray> b = new ArrayList<>();
    final INDArray x;
    final INDArray y;

    Nd4jStep(Sizes s) {
        Nd4j.getRandom().setSeed(0);
        for (int i = 0; i + 1 < s.dims.length; i++) {
            double bound = 1 / Math.sqrt(s.dims[i]);
            w.add(Nd4j.rand(DataType.FLOAT, s.dims[i + 1], s.dims[i]).muli(2 * bound).subi(bound));
            b.add(Nd4j.rand(DataType.FLOAT, s.dims[i + 1]).muli(2 * bound).subi(bound));
        }
        x = Nd4j.rand(DataType.FLOAT, s.batch, s.dims[0]);
        y = Nd4j.rand(DataType.FLOAT, s.batch, s.dims[s.dims.length - 1]);
    }

    INDArray forward(List<INDArray> acts) {
        INDArray h = x;
        acts.add(h);
        for (int i = 0; i < w.size(); i++) {
            INDArray z = Nd4j.gemm(h, w.get(i), false, true).addiRowVector(b.get(i));
            h = i + 1 < w.size() ? Transforms.relu(z, true) : z;
            acts.add(h);
        }
        return h;
    }

    double train() {
        List<INDArray> acts = new ArrayList<>();
        INDArray out = forward(acts);
        INDArray diff = out.sub(y);
        double loss = diff.mul(diff).meanNumber().doubleValue();
        INDArray g = diff.muli(2.0 / diff.length());
        for (int i = w.size() - 1; i >= 0; i--) {
            INDArray in = acts.get(i);
            INDArray gw = Nd4j.gemm(g, in, true, false);
            INDArray gb = g.sum(0);
            if (i > 0) {
                g = Nd4j.gemm(g, w.get(i), false, false).muli(in.gt(0).castTo(DataType.FLOAT));
            }
            w.get(i).subi(gw.muli(Sizes.LR));
            b.get(i).subi(gb.muli(Sizes.LR));
        }
        return loss;
    }

    INDArray infer() {
        return forward(new ArrayList<>());
    }
}
