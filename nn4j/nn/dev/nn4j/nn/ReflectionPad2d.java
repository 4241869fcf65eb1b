package dev.nn4j.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} (or {@code [C, H, W]}): The input mirrored at its edges, the edge itself not repeated (each side smaller than the input). PyTorch: {@code nn.ReflectionPad2d(padding)}.
 */
public class ReflectionPad2d extends Pad2d {
    /** The same {@code padding} on all four sides. PyTorch: {@code nn.ReflectionPad2d(p)}. */
    public ReflectionPad2d(int padding) {
        this(padding, padding, padding, padding);
    }

    /** PyTorch: {@code nn.ReflectionPad2d((left, right, top, bottom))}. */
    public ReflectionPad2d(int left, int right, int top, int bottom) {
        super(new int[] {left, right, top, bottom}, "reflect", 0);
    }
}
