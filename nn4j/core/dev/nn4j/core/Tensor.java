package dev.nn4j.core;

import dev.nn4j.core.kernel.Elementwise;
import dev.nn4j.core.kernel.Elementwise.CompareOp;
import dev.nn4j.core.kernel.Storage;
import dev.nn4j.core.ops.Binary;
import dev.nn4j.core.ops.Cast;
import dev.nn4j.core.ops.Cat;
import dev.nn4j.core.ops.Compare;
import dev.nn4j.core.ops.Index;
import dev.nn4j.core.ops.MatMul;
import dev.nn4j.core.ops.Permute;
import dev.nn4j.core.ops.Max;
import dev.nn4j.core.ops.Reduce;
import dev.nn4j.core.ops.Reshape;
import dev.nn4j.core.ops.SoftmaxOp;
import dev.nn4j.core.ops.Transpose;
import dev.nn4j.core.ops.Unary;
import dev.nn4j.device.Device;
import dev.nn4j.device.Devices;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;

/**
 * An n-dimensional array (an ND4J {@link INDArray}) with autograd state.
 *
 * <p>PyTorch: {@code torch.Tensor}. Operations return new tensors and, when any input requires grad (and no
 * {@link NoGrad} scope is open), record themselves so that {@link #backward()} can compute gradients. Default
 * dtype float32; float64 everywhere; int64 for indices; bool for comparison masks.
 * <pre>{@code
 * Tensor x = Tensor.randn(2, 3).requiresGrad(true);
 * Tensor y = x.mul(x).sum();
 * y.backward();          // x.grad() == 2 * x
 * }</pre>
 */
public class Tensor {
    private Storage storage;
    private Device device;
    private boolean requiresGrad;
    /** The gradient and its kept buffer; made on first use (see {@link #gradState}), so op results carry none. */
    private volatile GradState gradState;
    private Node gradFn;

    private static final VarHandle GRAD_STATE;

    static {
        try {
            GRAD_STATE = MethodHandles.lookup().findVarHandle(Tensor.class, "gradState", GradState.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Tensor(INDArray value, Device device) {
        this(Storage.of(value), device);
    }

    Tensor(Storage storage, Device device) {
        storage.publish();
        this.storage = storage;
        this.device = device;
    }

    /**
     * A leaf sharing {@code data}'s storage, for subclasses such as {@code Parameter}.
     * PyTorch: {@code nn.Parameter(data, requires_grad)}.
     */
    protected Tensor(Tensor data, boolean requiresGrad) {
        this(data.storage, data.device);
        requiresGrad(requiresGrad);
    }

    // ---------------------------------------------------------------- factories

    /** Wraps {@code array} (sharing its storage) as a CPU tensor. PyTorch: {@code torch.from_numpy(a)}. */
    public static Tensor of(INDArray array) {
        if (array == null) {
            throw new IllegalArgumentException("Tensor.of: array is null");
        }
        return new Tensor(array, Device.CPU);
    }

    /** A float32 tensor holding {@code data} in row-major order. PyTorch: {@code torch.tensor(data).reshape(shape)}. */
    public static Tensor of(float[] data, long... shape) {
        long[] s = Shapes.forData("Tensor.of", data.length, shape);
        return new Tensor(Storage.copyOf(data, s), Device.CPU);
    }

    /** A float64 tensor holding {@code data} in row-major order. */
    public static Tensor of(double[] data, long... shape) {
        long[] s = Shapes.forData("Tensor.of", data.length, shape);
        return new Tensor(Storage.copyOf(data, s), Device.CPU);
    }

    /** An int64 tensor (e.g. class indices) holding {@code data} in row-major order. */
    public static Tensor of(long[] data, long... shape) {
        long[] s = Shapes.forData("Tensor.of", data.length, shape);
        return new Tensor(s.length == 0 ? Nd4j.scalar(DataType.LONG, data[0])
                : Nd4j.createFromArray(data).reshape(s), Device.CPU);
    }

    /** A 0-d float32 tensor. PyTorch: {@code torch.tensor(3.5)}. */
    public static Tensor scalar(double value) {
        return new Tensor(Storage.scalar(value, DataType.FLOAT), Device.CPU);
    }

    /** Zeros, float32. PyTorch: {@code torch.zeros(shape)}. */
    public static Tensor zeros(long... shape) {
        return full(0, shape);
    }

    /** Ones, float32. PyTorch: {@code torch.ones(shape)}. */
    public static Tensor ones(long... shape) {
        return full(1, shape);
    }

    /** Every element {@code value}, float32. PyTorch: {@code torch.full(shape, value)}. */
    public static Tensor full(double value, long... shape) {
        Storage s = Storage.zeros(DataType.FLOAT, Shapes.checkNonNegative("full", shape).clone());
        s.fill(value);
        return new Tensor(s, Device.CPU);
    }

    /** Draws from U[0, 1), float32, from {@link Rng}. PyTorch: {@code torch.rand(shape)}. */
    public static Tensor rand(long... shape) {
        double[] d = new double[(int) Shapes.numel(Shapes.checkNonNegative("rand", shape))];
        Rng.uniform(d, 0, 1);
        return fromDoubles(d, shape, DataType.FLOAT);
    }

    /** Draws from N(0, 1), float32, from {@link Rng}. PyTorch: {@code torch.randn(shape)}. */
    public static Tensor randn(long... shape) {
        double[] d = new double[(int) Shapes.numel(Shapes.checkNonNegative("randn", shape))];
        Rng.normal(d, 0, 1);
        return fromDoubles(d, shape, DataType.FLOAT);
    }

    /** {@code [0, 1, ..., n-1]} as int64. PyTorch: {@code torch.arange(n)}. */
    public static Tensor arange(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("arange: n must be >= 0, got " + n);
        }
        long[] d = new long[(int) n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return n == 0 ? new Tensor(Nd4j.create(DataType.LONG, 0), Device.CPU) : of(d, n);
    }

    /** {@link #of(INDArray)} placed on {@code device}. */
    public static Tensor of(Device device, INDArray array) {
        return of(array).to(device);
    }

    /** {@link #of(float[], long...)} placed on {@code device}. */
    public static Tensor of(Device device, float[] data, long... shape) {
        return of(data, shape).to(device);
    }

    /** {@link #of(double[], long...)} placed on {@code device}. */
    public static Tensor of(Device device, double[] data, long... shape) {
        return of(data, shape).to(device);
    }

    /** {@link #of(long[], long...)} placed on {@code device}. */
    public static Tensor of(Device device, long[] data, long... shape) {
        return of(data, shape).to(device);
    }

    /** {@link #scalar(double)} placed on {@code device}. */
    public static Tensor scalar(Device device, double value) {
        return scalar(value).to(device);
    }

    /** {@link #zeros(long...)} placed on {@code device}. */
    public static Tensor zeros(Device device, long... shape) {
        return zeros(shape).to(device);
    }

    /** {@link #ones(long...)} placed on {@code device}. */
    public static Tensor ones(Device device, long... shape) {
        return ones(shape).to(device);
    }

    /** {@link #full(double, long...)} placed on {@code device}. */
    public static Tensor full(Device device, double value, long... shape) {
        return full(value, shape).to(device);
    }

    /** {@link #rand(long...)} placed on {@code device}. */
    public static Tensor rand(Device device, long... shape) {
        return rand(shape).to(device);
    }

    /** {@link #randn(long...)} placed on {@code device}. */
    public static Tensor randn(Device device, long... shape) {
        return randn(shape).to(device);
    }

    /** {@link #arange(long)} placed on {@code device}. */
    public static Tensor arange(Device device, long n) {
        return arange(n).to(device);
    }

    static Tensor fromDoubles(double[] d, long[] shape, DataType type) {
        return new Tensor(Storage.fromDoubles(d, shape.clone(), type), Device.CPU);
    }

    // ---------------------------------------------------------------- inspection

    /** The shape. PyTorch: {@code x.shape}. */
    public long[] shape() {
        return storage.shape().clone();
    }

    /** Number of dimensions. PyTorch: {@code x.dim()}. */
    public int dim() {
        return storage.shape().length;
    }

    /** Size of dimension {@code d} (negative counts from the end). PyTorch: {@code x.size(d)}. */
    public long size(int d) {
        return storage.shape()[Shapes.dim("size", d, dim())];
    }

    /** Number of elements. PyTorch: {@code x.numel()}. */
    public long numel() {
        return storage.size();
    }

    /** Element type. PyTorch: {@code x.dtype}. */
    public DataType dtype() {
        return storage.type();
    }

    /** Where the data lives. PyTorch: {@code x.device}. */
    public Device device() {
        return device;
    }

    /** The single value of a one-element tensor. PyTorch: {@code x.item()}. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item(): a Tensor with " + numel()
                    + " elements cannot be converted to Scalar (shape " + Shapes.str(shape()) + ")");
        }
        return storage.getDouble(0);
    }

    /** The backing ND4J array; writes to it change this tensor and are never recorded. */
    public INDArray array() {
        return storage.nd();
    }

    /** Internal: the data, for the engine and for kernels outside {@code dev.nn4j.core} (optimizers, checkpoints). */
    public Storage storage() {
        return storage;
    }

    // ---------------------------------------------------------------- autograd

    /** Whether gradients are computed for this tensor. PyTorch: {@code x.requires_grad}. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Sets whether this leaf records operations for autograd; returns this. PyTorch: {@code x.requires_grad_(b)}.
     *
     * @throws IllegalStateException on a non-leaf, or for a non-floating dtype
     */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: you can only change requires_grad flags of leaf "
                    + "variables (this tensor has grad_fn=<" + gradFn.name() + ">); use detach()");
        }
        if (requires && !dtype().isFPType()) {
            throw new IllegalStateException("requiresGrad: only tensors of floating point dtype can require "
                    + "gradients, got " + dtype());
        }
        this.requiresGrad = requires;
        GradState st = gradState;
        if (!requires && st != null) {
            st.dropSpare(); // a frozen tensor gets no gradients: its kept buffer would only hold memory
        }
        return this;
    }

    /** The accumulated gradient, or null until a backward reaches this leaf. PyTorch: {@code x.grad}. */
    public Tensor grad() {
        GradState st = gradState;
        return st == null ? null : st.grad();
    }

    /**
     * The gradient's data (null when there is none) without handing the gradient tensor out. Internal, for
     * optimizers: a gradient that {@link #grad()} never handed out keeps its buffer for the next backward once it
     * is cleared ({@code setGrad(null)}, {@code zeroGrad()}), where one that was handed out stays untouched, as
     * in PyTorch.
     */
    public Storage gradStorage() {
        GradState st = gradState;
        return st == null ? null : st.storage();
    }

    /**
     * Replaces the gradient (null clears it). PyTorch: {@code x.grad = g}.
     *
     * @throws IllegalArgumentException when the shape or device differs from this tensor's
     */
    public void setGrad(Tensor g) {
        if (g != null && (!Arrays.equals(g.shape(), shape()) || !g.device.equals(device) || g.dtype() != dtype())) {
            throw new IllegalArgumentException("setGrad: assigned grad has shape " + Shapes.str(g.shape()) + ", "
                    + g.dtype() + " on " + g.device + ", but the tensor has shape " + Shapes.str(shape()) + ", "
                    + dtype() + " on " + device);
        }
        GradState st = gradState;
        if (st != null || g != null) {
            gradState().set(g);
        }
    }

    /** This tensor's gradient state, made on first use (at most one ever wins the race). */
    GradState gradState() {
        GradState st = gradState;
        if (st == null) {
            st = new GradState(this);
            if (!GRAD_STATE.compareAndSet(this, null, st)) {
                st = gradState;
            }
        }
        return st;
    }

    /**
     * Registers {@code hook} to run with this tensor's gradient each time a backward computes it; a non-null return
     * replaces the gradient (same shape), null keeps it. The hook must not write into the gradient it is given. On a
     * non-leaf the result flows on to the inputs; on a leaf the hook sees the leaf's whole gradient of the backward
     * (summed over every use) before it is added to {@link #grad}, and the result is what is added. A leaf with such
     * hooks gets its gradient out of place (ops do not write it straight into the {@code grad} buffer). PyTorch:
     * {@code x.register_hook(hook)}.
     *
     * @return a handle that removes the hook
     * @throws IllegalStateException for a tensor that requires no grad
     */
    public RemovableHandle registerHook(java.util.function.UnaryOperator<Tensor> hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        if (!requiresGrad) {
            throw new IllegalStateException("cannot register a hook on a tensor that doesn't require gradient");
        }
        if (gradFn == null) {
            return gradState().addPreHook(hook);
        }
        return gradFn.addGradHook(hook, device);
    }

    boolean hasLeafGradHooks() {
        GradState st = gradState;
        return st != null && st.hasPreHooks();
    }

    /**
     * Registers {@code hook} to run, with this leaf, once a backward has accumulated this leaf's gradient for the
     * last time in that backward (its {@link #grad} is then final for it). For work that can start before the whole
     * backward ends: {@code DistributedDataParallel} starts averaging a bucket of gradients as soon as its
     * parameters are final. PyTorch: {@code p.register_post_accumulate_grad_hook(hook)}.
     *
     * @return a handle that removes the hook
     * @throws IllegalStateException for a non-leaf or a tensor that requires no grad
     */
    public RemovableHandle registerPostAccumulateGradHook(java.util.function.Consumer<Tensor> hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        if (gradFn != null) {
            throw new IllegalStateException("post accumulate grad hooks cannot be registered on non-leaf tensors");
        }
        if (!requiresGrad) {
            throw new IllegalStateException("cannot register a hook on a tensor that doesn't require gradient");
        }
        return gradState().addPostHook(hook);
    }

    boolean hasPostAccumulateHooks() {
        GradState st = gradState;
        return st != null && st.hasPostHooks();
    }

    /** True for tensors made by the user (not by a recorded op). PyTorch: {@code x.is_leaf}. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The node that made this tensor, or null for a leaf. PyTorch: {@code x.grad_fn}. */
    public Node gradFn() {
        return gradFn;
    }

    void attach(Node fn) {
        this.gradFn = fn;
        this.requiresGrad = true;
    }

    /**
     * Backpropagates from this scalar, accumulating into the {@code grad()} of every leaf that requires grad.
     * PyTorch: {@code loss.backward()}. The graph is released afterwards.
     *
     * @throws IllegalStateException for a non-scalar output (pass a gradient), an output that needs no grad, or on
     *     reaching a part of the graph an earlier backward released (then, as in PyTorch, leaves reached before that
     *     point keep the gradient added to them)
     */
    public void backward() {
        Autograd.backward(this);
    }

    /** Backpropagates {@code gradient} (shaped like this tensor). PyTorch: {@code y.backward(gradient)}. */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /**
     * Backpropagates {@code gradient}; with {@code retainGraph} the graph stays usable for another backward.
     * PyTorch: {@code y.backward(gradient, retain_graph=True)}.
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        Autograd.backward(this, gradient, retainGraph);
    }

    /** A tensor sharing this storage, outside any graph. PyTorch: {@code x.detach()}. */
    public Tensor detach() {
        return new Tensor(storage, device);
    }

    /**
     * A detached tensor sharing this storage: writes through it change this tensor and are never recorded; unlike
     * PyTorch's {@code .data}, such a write still counts for the in-place check, so a graph that saved the old value
     * refuses to backward instead of silently using the new one.
     * PyTorch: {@code x.data}.
     */
    public Tensor data() {
        return new Tensor(storage, device);
    }

    /**
     * Makes this tensor use {@code source}'s storage, keeping its identity (and its grad and graph flags).
     * PyTorch: {@code param.data = source}. Used for device and dtype moves of parameters in place.
     */
    public void setData(Tensor source) {
        this.storage = source.storage;
        this.device = source.device;
        GradState st = gradState;
        if (st != null) {
            st.dropSpare(); // may belong to the old device or dtype
        }
    }

    /** This tensor converted to {@code type} (recorded); the same object when it already has that type. PyTorch: {@code x.to(dtype)}. */
    public Tensor to(DataType type) {
        return type == dtype() ? this : Cast.apply(this, type);
    }

    /**
     * This tensor on {@code target}: the same object when already there, else an independent copy. When this
     * tensor requires grad (and recording is on) the copy is recorded, so gradients flow back to this tensor, as
     * in PyTorch. PyTorch: {@code x.to(device)}.
     */
    public Tensor to(Device target) {
        if (target.equals(device)) {
            return this;
        }
        Devices.checkAvailable(target);
        if (requiresGrad && NoGrad.isGradEnabled()) {
            return dev.nn4j.core.ops.ToDevice.apply(this, target);
        }
        return new Tensor(Devices.backend().copyTo(storage.nd(), target), target);
    }

    /** {@code to(Device.CPU)}. PyTorch: {@code x.cpu()}. */
    public Tensor cpu() {
        return to(Device.CPU);
    }

    /** {@code to(Device.cuda(0))}. PyTorch: {@code x.cuda()}. */
    public Tensor cuda() {
        return to(Device.cuda(0));
    }

    /** {@code to(Device.cuda(i))}. PyTorch: {@code x.cuda(i)}. */
    public Tensor cuda(int i) {
        return to(Device.cuda(i));
    }

    // ---------------------------------------------------------------- ops (recorded)

    /** Elementwise sum with broadcasting. PyTorch: {@code x + y}. */
    public Tensor add(Tensor other) {
        return Binary.add(this, other);
    }

    /** {@code x + s}. */
    public Tensor add(double s) {
        return Binary.add(this, scalarLike(s));
    }

    /** Elementwise difference with broadcasting. PyTorch: {@code x - y}. */
    public Tensor sub(Tensor other) {
        return Binary.sub(this, other);
    }

    /** {@code x - s}. */
    public Tensor sub(double s) {
        return Binary.sub(this, scalarLike(s));
    }

    /** Elementwise product with broadcasting. PyTorch: {@code x * y}. */
    public Tensor mul(Tensor other) {
        return Binary.mul(this, other);
    }

    /** {@code x * s}. */
    public Tensor mul(double s) {
        return Binary.mul(this, scalarLike(s));
    }

    /** Elementwise quotient with broadcasting (true division). PyTorch: {@code x / y}. */
    public Tensor div(Tensor other) {
        return Binary.div(this, other);
    }

    /** {@code x / s}. */
    public Tensor div(double s) {
        return Binary.div(this, scalarLike(s));
    }

    /** PyTorch: {@code -x}. */
    public Tensor neg() {
        return Unary.neg(this);
    }

    /** PyTorch: {@code x.abs()}; the gradient at 0 is 0. */
    public Tensor abs() {
        return Unary.abs(this);
    }

    /** PyTorch: {@code x.exp()}. */
    public Tensor exp() {
        return Unary.exp(this);
    }

    /** Natural logarithm. PyTorch: {@code x.log()}. */
    public Tensor log() {
        return Unary.log(this);
    }

    /** PyTorch: {@code x.sqrt()}. */
    public Tensor sqrt() {
        return Unary.sqrt(this);
    }

    /** Elementwise power. PyTorch: {@code x ** p}. */
    public Tensor pow(double p) {
        return Unary.pow(this, p);
    }

    /** {@code max(x, 0)}; the gradient at 0 is 0, as in PyTorch. PyTorch: {@code x.relu()}. */
    public Tensor relu() {
        return Unary.relu(this);
    }

    /** PyTorch: {@code x.sigmoid()}. */
    public Tensor sigmoid() {
        return Unary.sigmoid(this);
    }

    /** PyTorch: {@code x.tanh()}. */
    public Tensor tanh() {
        return Unary.tanh(this);
    }

    /** Matrix product: 2-D, or batched with broadcast batch dimensions. PyTorch: {@code x @ y}. */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other);
    }

    /** 2-D matrix product only. PyTorch: {@code x.mm(y)}. */
    public Tensor mm(Tensor other) {
        return MatMul.mm(this, other);
    }

    /** Transpose of a tensor of at most 2 dimensions, as a copy (PyTorch: a view). PyTorch: {@code x.t()}. */
    public Tensor t() {
        return Transpose.t(this);
    }

    /** Swaps dimensions {@code d0} and {@code d1}, as a copy (PyTorch: a view). PyTorch: {@code x.transpose(d0, d1)}. */
    public Tensor transpose(int d0, int d1) {
        return Transpose.apply(this, d0, d1);
    }

    /** The elements under a new shape (one dimension may be -1), as a copy. PyTorch: {@code x.reshape(shape)}. */
    public Tensor reshape(long... shape) {
        return Reshape.apply(this, shape);
    }

    /** Dimensions reordered: dimension {@code i} of the result is {@code dims[i]}; a copy. PyTorch: {@code x.permute(dims)}. */
    public Tensor permute(int... dims) {
        return Permute.apply(this, dims);
    }

    /** A size-1 dimension inserted at {@code dim}; a copy. PyTorch: {@code x.unsqueeze(dim)}. */
    public Tensor unsqueeze(int dim) {
        return Reshape.unsqueeze(this, dim);
    }

    /** Dimension {@code dim} removed when its size is 1 (else the same shape); a copy. PyTorch: {@code x.squeeze(dim)}. */
    public Tensor squeeze(int dim) {
        return Reshape.squeeze(this, dim);
    }

    /** Dimensions {@code startDim..endDim} merged into one; a copy. PyTorch: {@code x.flatten(start_dim, end_dim)}. */
    public Tensor flatten(int startDim, int endDim) {
        return Reshape.flatten(this, startDim, endDim);
    }

    /** Sum of all elements, 0-d. PyTorch: {@code x.sum()}. */
    public Tensor sum() {
        return Reduce.sum(this);
    }

    /** Sum over {@code dim}. PyTorch: {@code x.sum(dim, keepdim)}. */
    public Tensor sum(int dim, boolean keepDim) {
        return Reduce.sum(this, dim, keepDim);
    }

    /** Mean of all elements, 0-d. PyTorch: {@code x.mean()}. */
    public Tensor mean() {
        return Reduce.mean(this);
    }

    /** Mean over {@code dim}. PyTorch: {@code x.mean(dim, keepdim)}. */
    public Tensor mean(int dim, boolean keepDim) {
        return Reduce.mean(this, dim, keepDim);
    }

    /** Maximum values over {@code dim} (the dimension is dropped). PyTorch: {@code x.max(dim).values}. */
    public Tensor max(int dim) {
        return Max.apply(this, dim);
    }

    /** Softmax over {@code dim}. PyTorch: {@code x.softmax(dim)}. */
    public Tensor softmax(int dim) {
        return SoftmaxOp.softmax(this, dim);
    }

    /** Log-softmax over {@code dim}, computed stably. PyTorch: {@code x.log_softmax(dim)}. */
    public Tensor logSoftmax(int dim) {
        return SoftmaxOp.logSoftmax(this, dim);
    }

    /** Concatenation along {@code dim}. PyTorch: {@code torch.cat(tensors, dim)}. */
    public static Tensor cat(int dim, Tensor... tensors) {
        return Cat.apply(dim, tensors);
    }

    /**
     * Indexing and slicing with ND4J's indices ({@code NDArrayIndex.point(i)}, {@code interval(a, b)},
     * {@code all()}); the result is a copy, recorded. PyTorch: {@code x[1, 0:2]}.
     */
    public Tensor get(INDArrayIndex... indices) {
        return Index.apply(this, indices);
    }

    /** Integer indexing of the leading dimensions. PyTorch: {@code x[i, j]}. */
    public Tensor get(long... indices) {
        return Index.apply(this, indices);
    }

    /** Mask of {@code x > y}, bool, never recorded. */
    public Tensor gt(Tensor other) {
        return Compare.apply(CompareOp.GT, this, other);
    }

    /** Mask of {@code x > s}. */
    public Tensor gt(double s) {
        return gt(scalarLike(s));
    }

    /** Mask of {@code x >= y}. */
    public Tensor ge(Tensor other) {
        return Compare.apply(CompareOp.GE, this, other);
    }

    /** Mask of {@code x >= s}. */
    public Tensor ge(double s) {
        return ge(scalarLike(s));
    }

    /** Mask of {@code x < y}. */
    public Tensor lt(Tensor other) {
        return Compare.apply(CompareOp.LT, this, other);
    }

    /** Mask of {@code x < s}. */
    public Tensor lt(double s) {
        return lt(scalarLike(s));
    }

    /** Mask of {@code x <= y}. */
    public Tensor le(Tensor other) {
        return Compare.apply(CompareOp.LE, this, other);
    }

    /** Mask of {@code x <= s}. */
    public Tensor le(double s) {
        return le(scalarLike(s));
    }

    /** Mask of {@code x == y}. */
    public Tensor eq(Tensor other) {
        return Compare.apply(CompareOp.EQ, this, other);
    }

    /** Mask of {@code x == s}. */
    public Tensor eq(double s) {
        return eq(scalarLike(s));
    }

    /** A 0-d constant for a Java scalar operand: this tensor's floating type, or float32 for integer tensors. */
    private Tensor scalarLike(double s) {
        DataType t = dtype().isFPType() ? dtype()
                : (s == Math.rint(s) && !Double.isInfinite(s) ? dtype() : DataType.FLOAT);
        return new Tensor(t.isFPType() ? Storage.scalar(s, t)
                : Storage.of(Nd4j.scalar(t, s)), device);
    }

    // ---------------------------------------------------------------- in place (never recorded)

    /** In place {@code x += y} (y broadcast to x's shape); returns this. PyTorch: {@code x.add_(y)}. */
    public Tensor addi(Tensor other) {
        return InPlace.binary(this, "addi", Elementwise.BinaryOp.ADD, other);
    }

    /** In place {@code x += s}. */
    public Tensor addi(double s) {
        return addi(scalarLike(s));
    }

    /** In place {@code x -= y}. PyTorch: {@code x.sub_(y)}. */
    public Tensor subi(Tensor other) {
        return InPlace.binary(this, "subi", Elementwise.BinaryOp.SUB, other);
    }

    /** In place {@code x -= s}. */
    public Tensor subi(double s) {
        return subi(scalarLike(s));
    }

    /** In place {@code x *= y}. PyTorch: {@code x.mul_(y)}. */
    public Tensor muli(Tensor other) {
        return InPlace.binary(this, "muli", Elementwise.BinaryOp.MUL, other);
    }

    /** In place {@code x *= s}. */
    public Tensor muli(double s) {
        return muli(scalarLike(s));
    }

    /** In place {@code x /= y}. PyTorch: {@code x.div_(y)}. */
    public Tensor divi(Tensor other) {
        return InPlace.binary(this, "divi", Elementwise.BinaryOp.DIV, other);
    }

    /** In place {@code x /= s}. */
    public Tensor divi(double s) {
        return divi(scalarLike(s));
    }

    /** Sets every element to {@code v}; returns this. PyTorch: {@code x.fill_(v)}. */
    public Tensor fill(double v) {
        return InPlace.fill(this, v);
    }

    /** Copies {@code src} (broadcast to this shape, converted to this dtype) into this; returns this. PyTorch: {@code x.copy_(src)}. */
    public Tensor copyFrom(Tensor src) {
        return InPlace.copyFrom(this, src);
    }

    /** Sets the element at {@code index} (one entry per dimension); returns this. PyTorch: {@code x[i, j] = v}. */
    public Tensor put(long[] index, double v) {
        return InPlace.put(this, index, v);
    }

    // ---------------------------------------------------------------- printing

    /** PyTorch's text, e.g. {@code tensor([[0.0248, 0.1408]], grad_fn=<AddmmBackward>)}. */
    @Override
    public String toString() {
        return TensorFormat.repr(this);
    }
}
