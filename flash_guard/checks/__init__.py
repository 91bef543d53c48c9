"""Mechanism shared by the rules' Python checks: the Check base class and typed context
(`base`), declaration and use sites (`sites`), build visibility (`placement`), and helpers for
the deploy-breaker family (`deploy_support`). No rule lives here; see flash_guard/rules/."""
