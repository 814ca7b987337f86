"""Reading the CSV files of bulk imports: accounts, existing adherents, waves of partners."""
