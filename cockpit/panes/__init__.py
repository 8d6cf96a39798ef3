"""One widget per live pane. Panes render snapshots; they never call the network."""
