/**
 * The differentiable ops (by family) and the reverse-mode engine that records and replays them. Depends on io.nabla.tensor and io.nabla.backend.
 */
package io.nabla.autograd;
