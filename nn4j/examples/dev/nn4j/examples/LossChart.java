package dev.nn4j.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Writes a loss curve as a PNG (XChart, drawn off screen). */
final class LossChart {
    private LossChart() {
    }

    /** Plots {@code losses} against epochs 1..n into {@code png}. */
    static void save(List<Double> losses, String title, Path png) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("epoch")
                .yAxisTitle("mean training loss").build();
        double[] epochs = new double[losses.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        chart.addSeries("cross entropy", epochs, losses.stream().mapToDouble(Double::doubleValue).toArray());
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            String name = png.toString();
            BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                    BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
