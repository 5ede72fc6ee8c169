package io.nabla.autograd;

import io.nabla.golden.Golden;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of the PyTorch fixture {@code conv_pool.json}: outputs and gradients. */
class ConvGoldenTest {

    @TestFactory
    Stream<DynamicTest> convPoolFixtures() {
        return Golden.tests("conv_pool.json", Map.of(
                "conv2d", Golden.one(c -> ConvOps.conv2d(c.in("input"), c.in("weight"),
                        c.hasInput("bias") ? c.in("bias") : null, c.ints("stride"), c.ints("padding"),
                        c.ints("dilation"), c.i("groups"))),
                "max_pool2d", Golden.one(c -> ConvOps.maxPool2d(c.in("input"), c.ints("kernel_size"),
                        c.ints("stride"), c.ints("padding"))),
                "avg_pool2d", Golden.one(c -> ConvOps.avgPool2d(c.in("input"), c.ints("kernel_size"),
                        c.ints("stride"), c.ints("padding"), c.b("count_include_pad"))),
                "adaptive_avg_pool2d", Golden.one(c -> ConvOps.adaptiveAvgPool2d(c.in("input"),
                        c.ints("output_size")))));
    }
}
