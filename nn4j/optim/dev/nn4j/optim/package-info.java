/**
 * Optimizers that update a model's parameters from their gradients, as {@code torch.optim} does: {@link SGD},
 * {@link Adam}, {@link AdamW}, on the shared base {@link Optimizer}.
 *
 * <pre>{@code
 * Optimizer opt = new SGD(net.parameters(), 0.1).momentum(0.9);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     opt.zeroGrad();
 *     Tensor loss = Functional.mseLoss(net.call(x), y);
 *     loss.backward();
 *     opt.step();
 * }
 * }</pre>
 *
 * <p>Updates run in place on each parameter's storage, never recorded by autograd, with the same operations in
 * the same order as PyTorch's single-tensor (CPU) implementations, so float64 trajectories agree with PyTorch to
 * rounding.
 */
package dev.nn4j.optim;
