package io.nabla.jobs;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Who listens to which job's progress. Listeners run on the job's worker thread, so they must only hand the event
 * on (the web layer queues it for its own sender); one that throws is dropped. A final status is the last event a
 * listener gets, after which it is removed.
 */
public final class JobEvents {

    private final Map<String, List<Consumer<JobEvent>>> listeners = new ConcurrentHashMap<>();

    /** Adds a listener for job {@code id}; returns a handle that removes it. */
    public Runnable subscribe(String id, Consumer<JobEvent> listener) {
        listeners.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> unsubscribe(id, listener);
    }

    private void unsubscribe(String id, Consumer<JobEvent> listener) {
        listeners.computeIfPresent(id, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    void publish(String id, JobEvent event) {
        List<Consumer<JobEvent>> list = listeners.get(id);
        if (list == null) {
            return;
        }
        for (Consumer<JobEvent> l : list) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                unsubscribe(id, l);
            }
        }
        if (event.status().isFinal()) {
            listeners.remove(id);
        }
    }
}
