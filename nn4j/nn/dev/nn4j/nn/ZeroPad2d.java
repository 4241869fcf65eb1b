package dev.nn4j.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} (or {@code [C, H, W]}): Zeros on every side: {@code padding} rows and columns of zeros. PyTorch: {@code nn.ZeroPad2d(padding)}.
 */
public class ZeroPad2d extends Pad2d {
    /** The same {@code padding} on all four sides. PyTorch: {@code nn.ZeroPad2d(p)}. */
    public ZeroPad2d(int padding) {
        this(padding, padding, padding, padding);
    }

    /** PyTorch: {@code nn.ZeroPad2d((left, right, top, bottom))}. */
    public ZeroPad2d(int left, int right, int top, int bottom) {
        super(new int[] {left, right, top, bottom}, "constant", 0);
    }
}
