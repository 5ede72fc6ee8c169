package io.nabla.gpu;

/**
 * What one {@link MemoryArena} holds, in bytes.
 *
 * @param owner {@code model:<name>:<version>} or {@code job:<id>}
 * @param allocated bytes its live allocations asked for
 * @param reserved bytes in the blocks it holds (requests rounded up to blocks): its share of the device's allocated
 *     memory, and what its limit caps
 * @param peak the most {@code reserved} has been
 * @param limit its cap on {@code reserved}, or null when uncapped
 * @param admitted the bytes it was admitted with (what the owner said it needs; 0 when not said)
 * @param blocks live blocks it holds
 */
public record ArenaStats(String owner, long allocated, long reserved, long peak, Long limit, long admitted,
        int blocks) {
}
