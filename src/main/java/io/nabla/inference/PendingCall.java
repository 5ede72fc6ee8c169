package io.nabla.inference;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A validated request waiting in a model's queue.
 *
 * @param call the request
 * @param rows its rows along dimension 0
 * @param stackKey requests with equal keys can be stacked along dimension 0; null when this one must run alone
 * @param result completed with the outputs asked for
 * @param enqueuedNanos {@link System#nanoTime()} when it was queued
 */
record PendingCall(InferenceCall call, int rows, String stackKey, CompletableFuture<List<OutputTensor>> result,
        long enqueuedNanos) {
}
