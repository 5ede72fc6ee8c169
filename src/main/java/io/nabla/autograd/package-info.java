/**
 * The differentiable ops (by family), the reverse-mode engine that records and replays them, and automatic mixed
 * precision ({@link io.nabla.autograd.Autocast}). Depends on io.nabla.tensor and io.nabla.backend.
 */
package io.nabla.autograd;
