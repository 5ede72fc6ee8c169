/**
 * Layers as {@code torch.nn} defines them: {@link io.nabla.nn.Module} (named parameters, buffers and children, a
 * training/evaluation mode, PyTorch-compatible state dicts), {@link io.nabla.nn.Sequential}, the layer types of the
 * model spec, the training losses ({@link io.nabla.nn.Loss}), and PyTorch's default initialisation drawn from a
 * {@link io.nabla.nn.Generator} that reproduces PyTorch's CPU generator bit for bit.
 *
 * <p>Depends on {@code autograd}, {@code tensor} and {@code backend}; plain Java (no Spring).
 */
package io.nabla.nn;
