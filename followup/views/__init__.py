"""Pages of the follow-up (uppföljning), one module per area. Thin views: scope, form, one service call."""
