import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a real Solr (the same JettySolrRunner Solr's own tests use) on 127.0.0.1.
 *
 * <p>Usage: SolrRunner SOLR_HOME PORT [PID_FILE]. Runs until the JVM is killed; SIGTERM stops
 * Jetty cleanly (stopAtShutdown) so the index is closed properly.
 */
public class SolrRunner {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: SolrRunner SOLR_HOME PORT [PID_FILE]");
      System.exit(2);
    }
    String home = Path.of(args[0]).toAbsolutePath().toString();
    int port = Integer.parseInt(args[1]);
    JettyConfig config =
        JettyConfig.builder()
            .setPort(port)
            .setContext("/solr")
            .stopAtShutdown(true)
            // Fail at once on a taken port instead of retrying for a minute.
            .withPortRetryTime(0)
            .build();
    JettySolrRunner solr = new JettySolrRunner(home, config);
    try {
      solr.start();
    } catch (Exception e) {
      System.err.println("SolrRunner: failed to start Solr on 127.0.0.1:" + port + ": " + e);
      e.printStackTrace();
      System.exit(1);
    }
    if (args.length > 2) {
      // Written by the JVM itself so the pid is right whatever wrapper launched it.
      Path pidFile = Path.of(args[2]);
      Path tmp = pidFile.resolveSibling(pidFile.getFileName() + ".tmp");
      Files.writeString(tmp, ProcessHandle.current().pid() + "\n");
      Files.move(tmp, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    System.out.println("SolrRunner: Solr listening on http://127.0.0.1:" + solr.getLocalPort() + "/solr");
    Thread.currentThread().join(); // Jetty's threads serve; keep main alive until killed.
  }
}
