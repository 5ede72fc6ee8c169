package io.nabla.jobs;

import io.nabla.backend.Device;

/**
 * The one place that decides where a job runs. Today that is the CPU: {@code auto} and {@code cpu} run there, and
 * {@code cuda}/{@code cuda:N} are refused because this server has no CUDA device to lend (the GPU pool plugs in
 * here). Mixed precision is refused the same way until it exists.
 */
final class JobDevices {

    private JobDevices() {
    }

    /** The device a job asking for {@code requested} runs on; 400 naming the request when none can serve it. */
    static Device select(String requested) {
        if (requested.equals("auto") || requested.equals("cpu")) {
            return Device.CPU;
        }
        if (requested.equals("cuda") || requested.matches("cuda:[0-9]{1,3}")) {
            throw new IllegalArgumentException("device: no CUDA device is available on this server; expected "
                    + "\"auto\" or \"cpu\", got \"" + requested + "\"");
        }
        throw new IllegalArgumentException("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \""
                + requested + "\"");
    }

    /** Refuses every precision but fp32, naming the field. */
    static void checkPrecision(String precision) {
        if (precision.equals("fp32")) {
            return;
        }
        if (precision.equals("bf16") || precision.equals("fp16")) {
            throw new IllegalArgumentException("precision: mixed precision (" + precision + ") is not available "
                    + "yet; expected \"fp32\", got \"" + precision + "\"");
        }
        throw new IllegalArgumentException("precision: expected \"fp32\", \"bf16\" or \"fp16\", got \"" + precision
                + "\"");
    }
}
