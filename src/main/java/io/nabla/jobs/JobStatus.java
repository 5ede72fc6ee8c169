package io.nabla.jobs;

/** The life of a fine-tuning job: QUEUED, then RUNNING, then one of the three final states. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** True for SUCCEEDED, FAILED and CANCELLED: the job will never change again. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
