package io.nabla.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heap the CUDA backend allocates from on one GPU: the device's {@link CachingAllocator}, with every block charged
 * to the {@link MemoryArena} current on the allocating thread (none: uncharged) and credited to that same arena when
 * freed, on any thread. Keeps the open arenas of the device, one per owner.
 */
public final class ArenaHeap implements DeviceHeap {

    private final String device;
    private final CachingAllocator allocator;
    private final ThreadLocal<MemoryArena> current = new ThreadLocal<>();
    private final Map<Long, MemoryArena> owners = new ConcurrentHashMap<>();
    private final Map<String, MemoryArena> arenas = new LinkedHashMap<>();
    private final Object freeLock = new Object();

    public ArenaHeap(String device, CachingAllocator allocator) {
        this.device = device;
        this.allocator = allocator;
    }

    public String device() {
        return device;
    }

    public CachingAllocator allocator() {
        return allocator;
    }

    /**
     * Opens the arena of {@code owner}.
     *
     * @param limit cap on the bytes its blocks may hold; {@link Long#MAX_VALUE} for none
     * @param admitted bytes the owner was admitted with (kept free for it by admission control until allocated)
     * @throws IllegalStateException when the owner already has an open arena here
     */
    public synchronized MemoryArena openArena(String owner, long limit, long admitted) {
        if (owner == null || !(owner.startsWith("model:") || owner.startsWith("job:"))) {
            throw new IllegalArgumentException("arena owner must be 'model:<name>:<version>' or 'job:<id>', got '"
                    + owner + "'");
        }
        if (limit <= 0 || admitted < 0) {
            throw new IllegalArgumentException("arena " + owner + ": limit must be > 0 and admitted >= 0, got "
                    + limit + " and " + admitted);
        }
        if (arenas.containsKey(owner)) {
            throw new IllegalStateException(owner + " already has an arena on " + device);
        }
        MemoryArena arena = new MemoryArena(owner, limit, admitted, this);
        arenas.put(owner, arena);
        return arena;
    }

    /** The open arenas, in the order they were opened. */
    public synchronized List<MemoryArena> arenas() {
        return new ArrayList<>(arenas.values());
    }

    /** Bytes admitted to open arenas and not yet allocated by them. */
    public synchronized long outstandingAdmissions() {
        long sum = 0;
        for (MemoryArena a : arenas.values()) {
            sum += a.outstanding();
        }
        return sum;
    }

    @Override
    public long allocate(long bytes, long stream) {
        MemoryArena arena = current.get();
        if (arena == null) {
            return allocator.allocate(bytes, stream);
        }
        long size = allocator.settings().blockSize(bytes);
        arena.reserve(bytes, size);
        long address;
        try {
            address = allocator.allocate(bytes, stream);
        } catch (RuntimeException e) {
            arena.unreserve(size);
            throw e;
        }
        long blockSize = allocator.blockSize(address);
        boolean charged;
        // under the free lock: a closing arena's release must not see the owner entry of an address the allocator
        // just handed out again (it would free it, and so would the failed charge below: a double free)
        synchronized (freeLock) {
            owners.put(address, arena);
            charged = arena.charge(address, bytes, size, blockSize);
            if (!charged) {
                owners.remove(address);
                allocator.free(address);
            }
        }
        if (!charged) {
            if (arena.closed()) {
                throw new IllegalStateException("arena " + arena.owner() + " on " + device
                        + " was closed while allocating in it");
            }
            throw arena.overLimit(bytes, blockSize);
        }
        return address;
    }

    @Override
    public void free(long address) {
        synchronized (freeLock) {
            MemoryArena arena = owners.remove(address);
            allocator.free(address);
            if (arena != null) {
                arena.credit(address);
            }
        }
    }

    ArenaScope enter(MemoryArena arena) {
        return new ArenaScope(current, arena);
    }

    /** Frees the given blocks still charged to a closing arena and forgets the arena; gives the bytes freed. */
    long release(MemoryArena arena, List<Long> held) {
        long freed = 0;
        synchronized (freeLock) {
            for (long address : held) {
                if (owners.remove(address, arena)) {
                    allocator.free(address);
                    freed += Math.max(0, arena.credit(address));
                }
            }
        }
        synchronized (this) {
            arenas.remove(arena.owner(), arena);
        }
        return freed;
    }
}
