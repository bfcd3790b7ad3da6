// cliui (the column layout yargs prints its help with) ships no type declarations.
declare module 'cliui' {
  interface Column {
    text: string;
    width?: number;
    align?: 'left' | 'right' | 'center';
    padding?: [number, number, number, number];
  }
  interface Ui {
    div(...columns: (Column | string)[]): void;
    span(...columns: (Column | string)[]): void;
    toString(): string;
  }
  export default function cliui(options: { width: number; wrap: boolean }): Ui;
}
