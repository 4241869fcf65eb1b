package dev.nn4j.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} (or {@code [C, H, W]}) with a constant.
 * PyTorch: {@code nn.ConstantPad2d(padding, value)}.
 */
public class ConstantPad2d extends Pad2d {
    /** The same {@code padding} on all four sides. PyTorch: {@code nn.ConstantPad2d(p, value)}. */
    public ConstantPad2d(int padding, double value) {
        this(padding, padding, padding, padding, value);
    }

    /** PyTorch: {@code nn.ConstantPad2d((left, right, top, bottom), value)}. */
    public ConstantPad2d(int left, int right, int top, int bottom, double value) {
        super(new int[] {left, right, top, bottom}, "constant", value);
    }

    @Override
    public String extraRepr() {
        return "padding=" + sides() + ", value=" + Functional.pythonFloat(value);
    }
}
