package dev.nn4j.nn;

import dev.nn4j.core.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tensor that is a module's learnable state: a leaf that requires grad by default and that
 * {@link Module#registerParameter} lists in {@code parameters()} and {@code stateDict()}.
 *
 * <p>PyTorch: {@code nn.Parameter(data, requires_grad=True)}. The parameter shares {@code data}'s storage. Its
 * identity never changes: device and dtype moves swap the storage inside the same object, so optimizers and
 * tied modules keep pointing at it.
 */
public class Parameter extends Tensor {
    private volatile boolean uninitialized;

    /** A parameter over {@code data}'s storage that requires grad. PyTorch: {@code nn.Parameter(data)}. */
    public Parameter(Tensor data) {
        this(data, true);
    }

    /** A parameter over {@code data}'s storage. PyTorch: {@code nn.Parameter(data, requires_grad)}. */
    public Parameter(Tensor data, boolean requiresGrad) {
        super(checked(data), requiresGrad);
    }

    private static Tensor checked(Tensor data) {
        if (data == null) {
            throw new IllegalArgumentException("Parameter: data is null");
        }
        if (!data.dtype().isFPType()) {
            throw new IllegalArgumentException("Parameter: only floating point tensors can be parameters, got "
                    + data.dtype());
        }
        // parameters live in ND4J arrays (optimizers and checkpoints address them in place)
        data.array();
        return data;
    }

    /**
     * A placeholder whose shape is not known yet (for lazy modules); it becomes a real parameter, the same object,
     * through {@link #materialize}. PyTorch: {@code nn.UninitializedParameter()}.
     */
    public static Parameter uninitialized(DataType type) {
        Parameter p = new Parameter(Tensor.of(Nd4j.create(type, 0)));
        p.uninitialized = true;
        return p;
    }

    /** True until a placeholder from {@link #uninitialized} is materialized. */
    public boolean isUninitialized() {
        return uninitialized;
    }

    /** Gives a placeholder its storage, keeping this object's identity. PyTorch: {@code param.materialize(shape)}. */
    public void materialize(Tensor data) {
        data.array(); // parameters live in ND4J arrays
        setData(data);
        uninitialized = false;
    }

    /** PyTorch's text: {@code Parameter containing:\ntensor([...], requires_grad=True)}. */
    @Override
    public String toString() {
        if (uninitialized) {
            return "<UninitializedParameter>";
        }
        return "Parameter containing:\n" + super.toString();
    }
}
