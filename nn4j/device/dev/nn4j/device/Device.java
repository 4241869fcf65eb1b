package dev.nn4j.device;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a tensor's data lives: the host ({@code cpu}) or one CUDA GPU ({@code cuda:i}).
 *
 * <p>PyTorch: {@code torch.device("cuda:1")}. A {@code Device} is only a name: asking for {@code cuda:i}
 * does not check that the GPU exists until a tensor is placed there (see {@link Devices}).
 */
public final class Device {
    /** Kinds of device nn4j knows. */
    public enum Type { CPU, CUDA }

    /** The host. PyTorch: {@code torch.device("cpu")}. */
    public static final Device CPU = new Device(Type.CPU, -1);

    private static final Pattern FORM = Pattern.compile("(cpu)|(cuda)(?::(\\d{1,4}))?");

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    /** GPU 0. PyTorch: {@code torch.device("cuda")} resolved to the current device 0. */
    public static Device cuda() {
        return cuda(0);
    }

    /** GPU {@code index}. PyTorch: {@code torch.device("cuda", index)}. */
    public static Device cuda(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("CUDA device index must be >= 0, got " + index);
        }
        return new Device(Type.CUDA, index);
    }

    /**
     * Parses {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"}. PyTorch: {@code torch.device(str)}.
     *
     * @throws IllegalArgumentException naming the accepted forms when {@code spec} is none of them
     */
    public static Device parse(String spec) {
        Matcher m = FORM.matcher(spec == null ? "" : spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("Invalid device string '" + spec
                    + "': expected one of 'cpu', 'cuda', 'cuda:N' (N >= 0)");
        }
        if (m.group(1) != null) {
            return CPU;
        }
        return cuda(m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /** The kind of device. */
    public Type type() {
        return type;
    }

    /** The GPU ordinal, or -1 for the host. */
    public int index() {
        return index;
    }

    /** True for {@code cpu}. */
    public boolean isCpu() {
        return type == Type.CPU;
    }

    /** True for any {@code cuda:i}. */
    public boolean isCuda() {
        return type == Type.CUDA;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, index);
    }

    /** {@code cpu} or {@code cuda:i}, as PyTorch prints devices. */
    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}
