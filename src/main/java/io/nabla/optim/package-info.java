/**
 * Optimizers with PyTorch 1.13's update rules ({@link io.nabla.optim.Sgd}, {@link io.nabla.optim.Adam},
 * {@link io.nabla.optim.AdamW}; parameter groups with their own rate and weight decay) running on the backend's fused
 * {@link io.nabla.backend.OptimizerKernels}, learning-rate schedules as in PyTorch 1.13's {@code lr_scheduler} ({@link
 * io.nabla.optim.StepLR}, {@link io.nabla.optim.MultiStepLR}, {@link io.nabla.optim.ExponentialLR}, {@link
 * io.nabla.optim.ConstantLR}, {@link io.nabla.optim.LinearLR}, {@link io.nabla.optim.CosineAnnealingLR}, {@link
 * io.nabla.optim.PolynomialLR}, {@link io.nabla.optim.CosineAnnealingWarmRestarts}, {@link io.nabla.optim.OneCycleLR},
 * {@link io.nabla.optim.CyclicLR}, {@link io.nabla.optim.SequentialLR}, {@link io.nabla.optim.ChainedScheduler}, and
 * {@link io.nabla.optim.ReduceLROnPlateau}, stepped with a metric; every parameter group from its own base rate),
 * gradient clipping, dynamic loss scaling for mixed precision ({@link io.nabla.optim.GradScaler}) and the job request's
 * optimizer and schedule objects ({@link io.nabla.optim.OptimizerSpec}, {@link io.nabla.optim.LrSchedulerSpec}).
 *
 * <p>Depends on {@code autograd}, {@code tensor} and {@code backend}; plain Java (no Spring).
 */
package io.nabla.optim;
