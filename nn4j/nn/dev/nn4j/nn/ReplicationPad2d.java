package dev.nn4j.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} (or {@code [C, H, W]}): The edge values repeated outwards. PyTorch: {@code nn.ReplicationPad2d(padding)}.
 */
public class ReplicationPad2d extends Pad2d {
    /** The same {@code padding} on all four sides. PyTorch: {@code nn.ReplicationPad2d(p)}. */
    public ReplicationPad2d(int padding) {
        this(padding, padding, padding, padding);
    }

    /** PyTorch: {@code nn.ReplicationPad2d((left, right, top, bottom))}. */
    public ReplicationPad2d(int left, int right, int top, int bottom) {
        super(new int[] {left, right, top, bottom}, "replicate", 0);
    }
}
