package dev.nn4j.core;

import java.util.Arrays;

/**
 * The backward engine's queue of nodes that hold a pending gradient, highest {@link Node#level} first.
 *
 * <p>Why this order: every consumer of a node has a higher level than the node (a level is one more than the
 * highest level among an op's inputs), so taking the highest level first runs a node only after every node that
 * sends it a gradient, without a separate traversal to sort the graph. PyTorch's engine orders its ready queue by
 * a creation counter to the same end; a level needs no counter shared between threads.
 */
final class ReadyQueue {
    private Node[] heap = new Node[8];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    void push(Node fn) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        // sift up
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent].level >= fn.level) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = fn;
    }

    Node pop() {
        Node top = heap[0];
        Node last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            // sift down
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && heap[child + 1].level > heap[child].level) {
                    child++;
                }
                if (heap[child].level <= last.level) {
                    break;
                }
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
        }
        return top;
    }

    /** Drops the pending gradients of the nodes still queued (a backward that failed midway). */
    void clearPending() {
        for (int i = 0; i < size; i++) {
            heap[i].pendingGrad = null;
            heap[i].pendingOwned = false;
            heap[i] = null;
        }
        size = 0;
    }
}
